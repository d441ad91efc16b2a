"""How a row becomes a chat request and an answer becomes columns: one place for
:class:`~.ray_data.ChatRows` (our client per worker) and :func:`~.ray_llm.http_processor`
(Ray's own HTTP stage), so both send the same body and fill the same columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from telnyx_inference.chat.request import build_chat_request
from telnyx_inference.chat.structured import StructuredSpec, structured_spec


class RowChat:
    """The request for one prompt and the columns of its answer.

    Bad parameters and schemas are refused at construction, naming the parameter, so a job
    fails on the driver before any row is sent.
    """

    def __init__(
        self,
        *,
        model: str,
        system: str | None,
        schema: Any,
        field_prefix: str,
        params: Mapping[str, Any] | None,
        output_column: str,
    ) -> None:
        self.model, self.system = model, system
        self.schema, self.field_prefix, self.output_column = schema, field_prefix, output_column
        self.params = dict(params or {})
        self.spec: StructuredSpec | None = structured_spec(schema) if schema is not None else None
        self.fields: list[str] = (
            list((self.spec.schema or {}).get("properties", {})) if self.spec else []
        )
        self.body("-")  # refuse bad params now

    def body(self, prompt: Any) -> dict[str, Any]:
        """The JSON body of ``POST chat/completions`` for one row's prompt."""
        messages: list[Any] = [{"role": "system", "content": self.system}] if self.system else []
        messages.append({"role": "user", "content": str(prompt)})
        params = {**self.params, **(self.spec.params if self.spec else {})}
        return build_chat_request(messages, model=self.model, params=params)

    def value(self, text: str) -> Any:
        """The answer's value: parsed and validated with a schema, the text without."""
        return self.spec.parse(text) if self.spec else text

    @property
    def columns(self) -> list[str]:
        """The names of the columns the answers fill."""
        if self.fields:
            return [f"{self.field_prefix}{name}" for name in self.fields]
        return [self.output_column]

    def cells(self, value: Any) -> dict[str, Any]:
        """One row's answer columns (``None`` in each for a row that failed)."""
        if not self.fields:
            return {self.output_column: value}
        return {f"{self.field_prefix}{name}": _field(value, name) for name in self.fields}

    def batch_columns(self, values: Sequence[Any]) -> dict[str, list[Any]]:
        """The answer columns of a batch, from its values (``None`` for a failed row)."""
        rows = [self.cells(v) for v in values]
        return {column: [row[column] for row in rows] for column in self.columns}


def _field(value: Any, name: str) -> Any:
    """One field of an answer, as plain data (nested models become dicts, which Arrow stores)."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    return value.get(name) if isinstance(value, Mapping) else None
