"""What is true of Telnyx, for both langchain-tests suites (the knobs they read)."""

from __future__ import annotations


class TelnyxChatCapabilities:
    """Mixed in ahead of the langchain-tests base classes."""

    @property
    def has_tool_calling(self) -> bool:
        return True

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supports_model_override(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return "zai-org/GLM-5.2"
