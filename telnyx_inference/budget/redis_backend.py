"""The budget's Redis backend: one window per scope, shared by every process and machine.

Each reservation is one round trip running a short server-side script, so checking all three
counters and adding to them is atomic, and every holder reads the same clock (the Redis
server's ``TIME``), whatever the clocks of the machines say. The script follows
:class:`.window.SlotWindow` rule for rule; slots are hash fields that expire with the window.
Needs the ``redis`` package (``pip install 'telnyx-inference[redis]'``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telnyx_inference.budget.window import BOOK_AHEAD, COUNTERS, Grant, TooLarge, Usage

__all__ = ["RedisWindows"]

_RESERVE = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local slot_ms = tonumber(ARGV[1])
local slots = tonumber(ARGV[2])
local cur = math.floor(now / slot_ms)
local oldest = cur - slots + 1
local slot = math.max(cur, tonumber(redis.call('GET', KEYS[5]) or '0'))
local blocked = tonumber(redis.call('GET', KEYS[4]) or '0')
if blocked > now then slot = math.max(slot, math.ceil(blocked / slot_ms)) end
for i = 1, 3 do
  local limit = tonumber(ARGV[2 + i])
  local need = tonumber(ARGV[5 + i])
  local flat = redis.call('HGETALL', KEYS[i])
  local live = {}
  for j = 1, #flat, 2 do
    local s = tonumber(flat[j])
    if s < oldest then
      redis.call('HDEL', KEYS[i], flat[j])
    else
      live[#live + 1] = {s, tonumber(flat[j + 1])}
    end
  end
  if limit > 0 and need > 0 then
    if need > limit then return {-2, i, limit} end
    table.sort(live, function(a, b) return a[1] < b[1] end)
    local used = 0
    for _, sv in ipairs(live) do
      if sv[1] > slot - slots then used = used + sv[2] end
    end
    for _, sv in ipairs(live) do
      if used + need <= limit then break end
      if sv[1] > slot - slots then
        used = used - sv[2]
        slot = math.max(slot, sv[1] + slots)
      end
    end
  end
end
local wait = math.max(slot * slot_ms - now, 0)
if slot - cur > tonumber(ARGV[9]) then return {-1, wait} end
local keep = (slot - cur + slots + 1) * slot_ms
for i = 1, 3 do
  local need = tonumber(ARGV[5 + i])
  if need > 0 then
    redis.call('HINCRBY', KEYS[i], slot, need)
    redis.call('PEXPIRE', KEYS[i], keep)
  end
end
redis.call('SET', KEYS[5], slot, 'PX', keep)
return {slot, wait}
"""

_SETTLE = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local slot_ms = tonumber(ARGV[1])
local slots = tonumber(ARGV[2])
local slot = ARGV[3]
local cur = math.floor(now / slot_ms)
local live = tonumber(slot) >= cur - slots + 1
for i = 1, 3 do
  local need = tonumber(ARGV[3 + i])
  local used = tonumber(ARGV[6 + i])
  if live and need > 0 then
    if redis.call('HINCRBY', KEYS[i], slot, -need) < 0 then redis.call('HSET', KEYS[i], slot, 0) end
  end
  if used > 0 then redis.call('HINCRBY', KEYS[i], cur, used) end
  if need > 0 or used > 0 then redis.call('PEXPIRE', KEYS[i], (slots + 1) * slot_ms) end
end
return 1
"""

_BLOCK = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ms = now + tonumber(ARGV[1])
if until_ms > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], until_ms, 'PX', tonumber(ARGV[1]) + 1000)
end
return until_ms
"""

_TOTALS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local oldest = math.floor(now / tonumber(ARGV[1])) - tonumber(ARGV[2]) + 1
local out = {}
for i = 1, 3 do
  local flat = redis.call('HGETALL', KEYS[i])
  local used = 0
  for j = 1, #flat, 2 do
    if tonumber(flat[j]) >= oldest then used = used + tonumber(flat[j + 1]) end
  end
  out[i] = used
end
return out
"""


class RedisWindows:
    """Windows kept in Redis under ``prefix``; ``client`` / ``async_client`` are redis-py clients.

    Built from a URL with :meth:`from_url`; pass your own clients to share pools and settings.
    """

    def __init__(
        self,
        client: Any = None,
        async_client: Any = None,
        *,
        prefix: str = "telnyx:budget",
        seconds: float = 60.0,
        slots: int = 60,
    ) -> None:
        if client is None and async_client is None:
            raise ValueError("RedisWindows needs a redis client, an async one, or both")
        self.client, self.async_client = client, async_client
        self.prefix = prefix
        self.url: str | None = None
        self.slot_ms = max(round(seconds * 1000 / slots), 1)
        self.slots = slots
        self._scripts: dict[str, Any] = {}
        self._async_scripts: dict[str, Any] = {}

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> RedisWindows:
        import redis
        import redis.asyncio

        windows = cls(redis.Redis.from_url(url), redis.asyncio.Redis.from_url(url), **kwargs)
        windows.url = url
        return windows

    # --- what goes to the server --------------------------------------------------------------

    def _keys(self, scope: str) -> list[str]:
        base = f"{self.prefix}:{{{scope}}}"  # one hash slot per scope on a Redis Cluster
        return [*(f"{base}:{name}" for name in COUNTERS), f"{base}:blocked", f"{base}:tail"]

    def _script(self, name: str, source: str, asynchronous: bool) -> Any:
        cache = self._async_scripts if asynchronous else self._scripts
        if name not in cache:
            client = self.async_client if asynchronous else self.client
            if client is None:
                kind = "async" if asynchronous else "sync"
                raise RuntimeError(f"this RedisWindows was built without a {kind} redis client")
            cache[name] = client.register_script(source)
        return cache[name]

    def _reserve_args(self, scope: str, need: Usage, limits: Usage) -> tuple[list[str], list[int]]:
        return self._keys(scope), [self.slot_ms, self.slots, *limits, *need, BOOK_AHEAD]

    def _grant(self, reply: Sequence[Any], need: Usage) -> Grant:
        first = int(reply[0])
        if first == -2:
            index = int(reply[1]) - 1
            raise TooLarge(COUNTERS[index], need[index], int(reply[2]))
        return Grant(None if first == -1 else first, int(reply[1]) / 1000)

    def _settle_args(
        self, scope: str, slot: int, need: Sequence[int], used: Sequence[int]
    ) -> tuple[list[str], list[int]]:
        return self._keys(scope)[:3], [self.slot_ms, self.slots, slot, *need, *used]

    # --- sync -------------------------------------------------------------------------------

    def reserve(self, scope: str, need: Usage, limits: Usage) -> Grant:
        keys, args = self._reserve_args(scope, need, limits)
        return self._grant(self._script("reserve", _RESERVE, False)(keys=keys, args=args), need)

    def settle(self, scope: str, slot: int, need: Sequence[int], used: Sequence[int]) -> None:
        keys, args = self._settle_args(scope, slot, need, used)
        self._script("settle", _SETTLE, False)(keys=keys, args=args)

    def block(self, scope: str, seconds: float) -> None:
        keys = self._keys(scope)[3:4]
        self._script("block", _BLOCK, False)(keys=keys, args=[max(round(seconds * 1000), 1)])

    def totals(self, scope: str) -> Usage:
        reply = self._script("totals", _TOTALS, False)(
            keys=self._keys(scope)[:3], args=[self.slot_ms, self.slots]
        )
        a, b, c = (int(v) for v in reply)
        return a, b, c

    # --- async ------------------------------------------------------------------------------

    async def areserve(self, scope: str, need: Usage, limits: Usage) -> Grant:
        keys, args = self._reserve_args(scope, need, limits)
        script = self._script("reserve", _RESERVE, True)
        return self._grant(await script(keys=keys, args=args), need)

    async def asettle(
        self, scope: str, slot: int, need: Sequence[int], used: Sequence[int]
    ) -> None:
        keys, args = self._settle_args(scope, slot, need, used)
        await self._script("settle", _SETTLE, True)(keys=keys, args=args)

    async def ablock(self, scope: str, seconds: float) -> None:
        keys = self._keys(scope)[3:4]
        await self._script("block", _BLOCK, True)(keys=keys, args=[max(round(seconds * 1000), 1)])

    def close(self) -> None:
        if self.client is not None:
            self.client.close()

    async def aclose(self) -> None:
        if self.async_client is not None:
            await self.async_client.aclose()
