"""One LangChain call and one LlamaIndex call through telnyx-inference.

With ``TELNYX_API_KEY`` set, both go to the real Telnyx API. Without it, a local emulator of
the API starts in this process and answers instead, so the script runs anywhere, offline.

    python examples/quickstart.py
"""

from __future__ import annotations

import os
from contextlib import ExitStack

QUESTION = "In one sentence, what does Telnyx Inference offer developers?"


def main() -> None:
    with ExitStack() as stack:
        if os.environ.get("TELNYX_API_KEY"):
            print("TELNYX_API_KEY is set: talking to the real Telnyx API.")
            connection: dict[str, str] = {}
        else:
            from telnyx_inference.emulator import Emulator

            emulator = stack.enter_context(Emulator())
            print(
                f"TELNYX_API_KEY is not set: talking to the local emulator at {emulator.base_url}"
            )
            connection = {"base_url": emulator.base_url, "api_key": "emulator"}

        from langchain_telnyx import ChatTelnyx

        chat = ChatTelnyx(**connection)
        reply = chat.invoke(QUESTION)
        print(f"\nLangChain  ChatTelnyx({chat.model_name}):\n  {reply.content}")

        from llama_index_telnyx import Telnyx

        llm = Telnyx(**connection)
        answer = llm.complete(QUESTION)
        print(f"\nLlamaIndex Telnyx({llm.model}):\n  {answer.text}")


if __name__ == "__main__":
    main()
