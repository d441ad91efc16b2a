"""Facts about the Telnyx Inference API, named once.

Every default, allowed value, error code and path that the client, the framework adapters
and the emulator rely on lives here, so a change on Telnyx's side is a change in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Literal, get_args

# --- Hosts and paths -----------------------------------------------------------------------

DEFAULT_BASE_URL: Final = "https://api.telnyx.com/v2/ai/openai"
"""The OpenAI-compatible namespace: chat completions, models, embeddings."""

LEGACY_BASE_SUFFIX: Final = "/ai"
"""The deprecated base ``…/v2/ai`` still serves chat completions and models."""

OPENAI_BASE_SUFFIX: Final = "/ai/openai"
NATIVE_ROOT_PATH: Final = "/v2"
"""Where the Telnyx-native API (buckets) starts on the API host."""

API_KEY_ENV: Final = "TELNYX_API_KEY"
BASE_URL_ENV: Final = "TELNYX_API_BASE"
ASYNC_TRANSPORT_ENV: Final = "TELNYX_ASYNC_TRANSPORT"
"""auto (default), aiohttp or httpx: the HTTP client under the shared async clients."""

CHAT_PATH: Final = "chat/completions"
MODELS_PATH: Final = "models"
EMBEDDINGS_PATH: Final = "embeddings"
EMBEDDING_MODELS_PATH: Final = "embeddings/models"

# Telnyx-native bucket endpoints, relative to the ``…/v2`` root.
BUCKET_JOB_PATH: Final = "ai/embeddings"
BUCKETS_PATH: Final = "ai/embeddings/buckets"
SIMILARITY_SEARCH_PATH: Final = "ai/embeddings/similarity-search"
IDEMPOTENCY_KEY_HEADER: Final = "Idempotency-Key"
"""Accepted by ``POST …/v2/ai/embeddings`` (start a bucket embedding job): a request repeating
the key gets the job the key started instead of a second one."""

# Telnyx Cloud Storage: S3-compatible, one endpoint per region, path-style addressing.
STORAGE_URL_ENV: Final = "TELNYX_STORAGE_URL"
STORAGE_URL_TEMPLATE: Final = "https://{region}.telnyxcloudstorage.com"
"""``{region}`` is filled with a bucket's home region (every object call must go there)."""
STORAGE_REGIONS: Final = ("us-central-1", "us-east-1", "us-west-1", "eu-central-1")
DEFAULT_STORAGE_REGION: Final = "us-central-1"
"""Where new buckets go, and the US endpoint asked for a bucket's home region."""
STORAGE_MAX_METADATA_BYTES: Final = 2048
"""S3's cap on an object's user metadata (keys and values together)."""
STORAGE_MAX_KEY_BYTES: Final = 1024
EMULATOR_STORAGE_PATH: Final = "/_emulator/storage"
"""Where a local emulator advertises its S3 endpoint (``{"storage_url": ...}``)."""
EMULATOR_CONTROL_TOKEN_ENV: Final = "TELNYX_EMULATOR_CONTROL_TOKEN"
EMULATOR_CONTROL_TOKEN_HEADER: Final = "X-Emulator-Token"
"""An emulator with a control token wants it on its control routes (storage discovery too)."""

# --- Defaults ------------------------------------------------------------------------------

DEFAULT_CHAT_MODEL: Final = "moonshotai/Kimi-K2.6"
DEFAULT_EMBEDDING_MODEL: Final = "thenlper/gte-large"
EMBEDDING_MODELS: Final = ("thenlper/gte-large", "intfloat/multilingual-e5-large")
EMBEDDING_DIMENSIONS: Final = 1024
DEFAULT_TIMEOUT: Final = 60.0
DEFAULT_MAX_RETRIES: Final = 2
DEFAULT_TOTAL_TIMEOUT: Final = 180.0
"""Seconds for all attempts of one request together (retries and backoff included)."""

DEFAULT_POLL_INTERVAL: Final = 2.0
"""Seconds between status reads while waiting for a bucket's embeddings (a job, or files)."""
DEFAULT_CHUNK_SIZE: Final = 1024
DEFAULT_CHUNK_OVERLAP: Final = 512
DEFAULT_NUM_OF_DOCS: Final = 3
BUCKET_LOADERS: Final = ("default", "intercom")
BUCKET_JOB_STATUSES: Final = ("queued", "processing", "success", "failure", "partial_success")
BUCKET_JOB_FINAL_STATUSES: Final = ("success", "failure", "partial_success")
BUCKET_JOB_FAILED_STATUSES: Final = ("failure", "partial_success")
BUCKET_FILE_FAILED_STATUSES: Final = ("failed", "failure", "error")
"""Per-file statuses meaning a file was not embedded (unverified; ``error_reason`` also counts)."""
BUCKET_FILE_EMBEDDED_STATUSES: Final = ("success", "embedded", "completed")
"""Per-file statuses meaning a file was embedded (unverified; ``last_embedded_at`` also counts)."""

# --- Request rules -------------------------------------------------------------------------

ROLES: Final = ("system", "user", "assistant", "tool")
ROLE_ALIASES: Final = {"developer": "system", "human": "user", "ai": "assistant"}
TOOL_CHOICES: Final = ("none", "auto", "required")
RESPONSE_FORMAT_TYPES: Final = ("text", "json_object", "json_schema")
JSON_SCHEMA_FORMAT_FIELDS: Final = ("name", "description", "schema", "strict")
"""The keys of ``response_format.json_schema`` (``name`` required): Telnyx's supported way to
structured output since autumn 2026 (telnyx SDK 4.180)."""
JSON_SCHEMA_NAME_PATTERN: Final = r"^[a-zA-Z0-9_-]{1,64}$"
"""OpenAI's rule for ``response_format.json_schema.name``, which Telnyx's OpenAI-compatible
route follows (its schema only says "a string")."""
SERVICE_TIERS: Final = ("default", "priority", "flex")
"""The service tiers Telnyx names; ``service_tier`` takes any string, and each model lists the
ones it offers in the catalog's ``service_tiers``."""
MAX_STOP_SEQUENCES: Final = 4
MAX_TOP_LOGPROBS: Final = 20
GUIDED_FIELDS: Final = ("guided_json", "guided_regex", "guided_choice")
"""The seed's constrained-decoding fields: gone from Telnyx's published schema since telnyx SDK
4.180, and from upstream vLLM (v0.12), which answers 200 with unconstrained output when sent
them. Whether Telnyx honours, ignores or rejects them is unverified: answers are checked."""
BEAM_SEARCH_FIELDS: Final = ("best_of", "length_penalty", "early_stopping")
TEXT_PART_SEPARATOR: Final = "\n"
"""How a list of text parts reads as one string: vLLM (behind Telnyx) joins text parts with a
newline when it flattens content for a chat template, so flattening here does the same."""

ReasoningHistory = Literal["tool_turns", "all", "never"]
REASONING_HISTORY: Final = get_args(ReasoningHistory)
DEFAULT_REASONING_HISTORY: Final = "tool_turns"
"""Which assistant turns send their reasoning back as ``reasoning_content``: Kimi and GLM chat
templates expect it on tool-call turns of a tool loop (Kimi elsewhere answers 400 without it)."""
ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
REASONING_EFFORTS: Final = get_args(ReasoningEffort)
"""Telnyx's ``reasoning_effort`` levels, sent as they are; a model answers 400 to a level it
does not support (which levels each model supports is not published)."""

Region = Literal["USA", "EU", "AUS", "UAE"]
REGIONS: Final = get_args(Region)
"""Data residency: where a Telnyx-hosted model must be served from (``region``)."""
ResidencyMode = Literal["preferred", "strict"]
RESIDENCY_MODES: Final = get_args(ResidencyMode)
"""``mode`` (requires ``region``): ``preferred`` (Telnyx's default) may serve from elsewhere;
``strict`` is served from that region or answers 422, never redirected."""
REGION_DEPLOYMENTS: Final[dict[str, tuple[str, ...]]] = {
    "USA": ("us-",),
    "EU": ("eu-",),
    "AUS": ("au-", "ap-southeast-2"),
    "UAE": ("me-", "ae-"),
}
"""How the catalog's deployment names (``regions``: ``us-central-1``, …) map onto the request's
``region`` values, by prefix (unverified beyond ``us-`` and ``eu-``)."""

DEFAULT_MAX_TOKENS: Final[dict[str, int]] = {
    "zai-org/GLM-5.3": 8192,
    "zai-org/GLM-5.3-Flash": 8192,
    "deepseek-ai/DeepSeek-V4.1-Flash": 8192,
}
"""``max_tokens`` (reasoning and answer together) when a request leaves it out, on the models
Telnyx names; other hosted models leave it to the engine. Explicit values are clamped to the
model's ``max_completion_tokens``."""

# --- Errors --------------------------------------------------------------------------------

ERROR_CODE_RATE_LIMITED: Final = "10011"
ERROR_CODE_MAX_TOKENS_WITH_TOOLS: Final = "10015"
ERROR_CODE_UNAUTHORIZED: Final = "10009"
ERROR_CODE_NOT_FOUND: Final = "10005"
RATE_LIMIT_HEADERS: Final = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")

# --- Models --------------------------------------------------------------------------------

CHAT_TASKS: Final = ("text-generation", "text generation")

PRICING_UNITS: Final[dict[str, int]] = {"1M_tokens": 1_000_000, "1K_tokens": 1_000}
"""Tokens per priced unit, by the catalog's ``pricing.unit`` (Telnyx writes ``1M_tokens``)."""
UNKNOWN_COST: Final = "unknown"
"""What a cost reads when the model's pricing is not known: never a made-up zero."""
MODEL_TIERS: Final = ("small", "medium", "large", "unlisted")
"""The catalog's ``tier``: the token rate-limit tier a model belongs to."""


@dataclass(frozen=True, slots=True)
class Pricing:
    """A model's prices from the catalog, as exact decimals (Telnyx sends them as strings)."""

    prompt: Decimal
    completion: Decimal
    cached_prompt: Decimal | None = None
    """``None`` when the catalog gives no cached price: cached tokens then cost ``prompt``."""
    currency: str = "USD"
    unit: str = "1M_tokens"


@dataclass(slots=True)
class ModelFacts:
    """What the catalog says about one model: sizes, capabilities, tiers, regions, prices.

    ``None`` (or an empty tuple) means the catalog did not say.
    """

    context_length: int
    max_completion_tokens: int | None = None
    is_vision: bool = field(default=False, kw_only=True)
    is_reasoning: bool = field(default=False, kw_only=True)
    task: str = field(default="text-generation", kw_only=True)
    tier: str | None = field(default=None, kw_only=True)
    """``small`` / ``medium`` / ``large`` / ``unlisted``: the token rate-limit tier."""
    service_tiers: tuple[str, ...] = field(default=(), kw_only=True)
    """The ``service_tier`` values the model offers (empty: not known)."""
    regions: tuple[str, ...] = field(default=(), kw_only=True)
    """Deployment names the model runs in (``us-central-1``, …; empty: not known)."""
    pricing: Pricing | None = field(default=None, kw_only=True)


FALLBACK_MODELS: Final[dict[str, ModelFacts]] = {
    "moonshotai/Kimi-K2.6": ModelFacts(
        262_144, 32_768, is_vision=True, is_reasoning=True, tier="medium"
    ),
    "moonshotai/Kimi-K3": ModelFacts(
        1_048_576, 65_536, is_vision=True, is_reasoning=True, tier="large"
    ),
    "zai-org/GLM-5.2": ModelFacts(1_048_576, 65_536, is_reasoning=True, tier="medium"),
    "MiniMaxAI/MiniMax-M3-MXFP8": ModelFacts(1_048_576, 65_536, is_reasoning=True),
    "meta-llama/Meta-Llama-3.1-8B-Instruct": ModelFacts(131_072, 8_192),
    "thenlper/gte-large": ModelFacts(512, task="feature-extraction"),
    "intfloat/multilingual-e5-large": ModelFacts(512, task="feature-extraction"),
}
"""Used when ``GET models`` cannot be read. Ids churn; the catalog wins when it answers."""

UNKNOWN_MODEL_CONTEXT: Final = 131_072

PROXIED_MODEL_PREFIXES: Final = ("openai/", "anthropic/")
"""Model ids Telnyx forwards to another provider (with ``api_key_ref``); every other chat model
is Telnyx-hosted: only those take ``region`` / ``mode`` (data residency)."""

EMULATOR_FAULT_HEADER: Final = "x-emulator-fault"
"""Request header asking the local emulator for a fault (see ``telnyx_inference.emulator``)."""
EMULATOR_IGNORED_FIELDS_HEADER: Final = "x-emulator-ignored-fields"
"""Response header in which the emulator lists top-level request fields it ignored."""
EMULATOR_MODE_HEADER: Final = "x-emulator-mode"
"""Request header choosing how the emulator fills values: ``realistic`` or ``adversarial``."""
EMULATOR_ADVERSARIAL: Final = "adversarial"
EMULATOR_REALISTIC: Final = "realistic"

# --- Token rate limits ---------------------------------------------------------------------

TOKEN_LIMITS_BY_TIER: Final = {
    "small": (100_000_000, 20_000_000, 1_000_000),
    "medium": (40_000_000, 8_000_000, 400_000),
    "large": (20_000_000, 4_000_000, 200_000),
}
"""Telnyx's default tokens per minute per organization × model × region, by catalog ``tier``:
(total input, uncached input, output). Shared by every key of the organization."""
DEFAULT_TOKEN_LIMIT_TIER: Final = "medium"
"""The tier assumed for a model whose tier is unknown (the default chat model's)."""
TOKEN_LIMIT_WINDOW_SECONDS: Final = 60.0
