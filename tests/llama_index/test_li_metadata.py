"""metadata: the model's real context window and output size, from the catalog or a fallback."""

from __future__ import annotations

from li_support import KEY
from llama_index.core.constants import DEFAULT_NUM_OUTPUTS

from llama_index_telnyx import Telnyx
from telnyx_inference.emulator import Emulator


def test_catalog_values_with_fallback_and_overrides() -> None:
    with Emulator() as emu:  # its own server: the catalog is cached per base URL
        emu.add_model("acme/Long-1", context_length=777_000, max_completion_tokens=12_345)
        llm = Telnyx(model="acme/Long-1", api_key=KEY, base_url=emu.base_url)
        meta = llm.metadata
        assert (meta.context_window, meta.num_output) == (777_000, 12_345)
        assert meta.is_chat_model
        assert meta.is_function_calling_model
        assert meta.model_name == "acme/Long-1"
        assert sum(e.path.endswith("/models") for e in emu.journal) == 1
        llm.metadata  # noqa: B018 - cached: no second request
        assert sum(e.path.endswith("/models") for e in emu.journal) == 1

        custom = Telnyx(
            model="acme/Long-1",
            api_key=KEY,
            base_url=emu.base_url,
            context_window=4096,
            max_tokens=100,
        )
        assert (custom.metadata.context_window, custom.metadata.num_output) == (4096, 100)
        custom.model = "zai-org/GLM-5.2"  # metadata follows the fields
        assert custom.metadata.model_name == "zai-org/GLM-5.2"


def test_offline_falls_back_to_the_built_in_table() -> None:
    llm = Telnyx(model="moonshotai/Kimi-K2.6")  # no key: nothing is requested
    assert llm.metadata.context_window == 262_144
    unknown = Telnyx(model="someone/unknown-model")
    assert unknown.metadata.context_window > 100_000
    assert unknown.metadata.num_output == DEFAULT_NUM_OUTPUTS


def test_unreachable_catalog_does_not_fail() -> None:
    llm = Telnyx(api_key=KEY, base_url="http://127.0.0.1:9/v2/ai/openai", max_retries=0)
    assert llm.metadata.context_window == 262_144


def test_the_unknown_model_warning_points_at_the_users_line() -> None:
    # LlamaIndex reads llm.metadata deep inside its own code (memory, prompt helpers): the
    # warning must still name this file, not a library line.
    import warnings

    from llama_index.core.memory import ChatMemoryBuffer

    from telnyx_inference import TelnyxWarning

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        ChatMemoryBuffer.from_defaults(llm=Telnyx(model="acme/unknown-memory", api_key=KEY))
        Telnyx(model="acme/unknown-direct", api_key=KEY).metadata  # noqa: B018
    ours = [w for w in seen if issubclass(w.category, TelnyxWarning)]
    assert [w.filename for w in ours] == [__file__, __file__]
    assert "acme/unknown-memory" in str(ours[0].message)
