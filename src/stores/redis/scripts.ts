/**
 * The store's Lua scripts. Each touches exactly one key (KEYS[1]), so each is atomic and none can
 * be CROSSSLOT on Redis Cluster. Field names follow layout.ts (`d:` data, `m:` metadata, `m:s`
 * encoded data size). Replies are arrays whose first element is a status; a trailing element,
 * when present, is the record's user ID (its absence means null).
 */
import { script } from './client.ts';

/** Call `cmd key ARGV[from..to]` in chunks (Lua's unpack has a stack limit); step is even. */
const CHUNKED = `
local function chunked(cmd, key, from, to)
  local i = from
  while i <= to do
    local j = math.min(i + 999, to)
    redis.call(cmd, key, unpack(ARGV, i, j))
    i = j + 1
  end
end
`;

/**
 * Replace a whole record. ARGV[1] = PEXPIREAT ms, ARGV[2..] = field/value pairs (metadata, m:s and
 * d: fields). Reply {1, oldUser?}.
 */
export const SET = script(
  'set',
  `${CHUNKED}
local key = KEYS[1]
local old = redis.call('HGET', key, 'm:u')
redis.call('DEL', key)
chunked('HSET', key, 2, #ARGV)
redis.call('PEXPIREAT', key, ARGV[1])
if old then return {1, old} end
return {1}
`,
);

/**
 * Per-key change of an existing record, refused whole when the record is missing (no m:c: a
 * hash without createdAt is not a record, so nothing is written into it) or the result would be
 * over the limit.
 * ARGV: [1] max bytes, [2] PEXPIREAT ms ('' keeps the key's expiry: a patch without meta),
 * [3] nUnset, [4] nSet (pairs), [5] nAbsent (meta fields that are now null), then the unset d:
 * fields, the set d: pairs, the absent m: fields, and the m: pairs to write (to the end; none
 * for a patch without meta).
 * Reply {0} missing, {-1, size} too large (nothing written), {1, oldUser?} applied.
 */
export const PATCH = script(
  'patch',
  `${CHUNKED}
local key = KEYS[1]
-- Every record has m:c (createdAt): without it there is no record to patch (or only a broken one).
local head = redis.call('HMGET', key, 'm:c', 'm:s', 'm:u')
if not head[1] then return {0} end
local maxBytes = tonumber(ARGV[1])
local nUnset, nSet, nAbsent = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local size, old = tonumber(head[2]), head[3]
if not size then
  size = 2
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    if string.sub(all[i], 1, 2) == 'd:' then size = size + #all[i] - 2 + #all[i + 1] + 6 end
  end
end
-- Stored length of a data field, false when absent. A d: value is JSON text, never empty, so
-- HSTRLEN's 0 means absent (one call instead of HEXISTS + HSTRLEN).
local cur = {}
local function len(f)
  local c = cur[f]
  if c == nil then
    c = redis.call('HSTRLEN', key, f)
    if c == 0 then c = false end
    cur[f] = c
  end
  return c
end
local unsetFrom = 6
local setFrom = unsetFrom + nUnset
local absentFrom = setFrom + 2 * nSet
local metaFrom = absentFrom + nAbsent
for i = unsetFrom, setFrom - 1 do
  local f = ARGV[i]
  local c = len(f)
  if c then size = size - (#f - 2 + c + 6) end
  cur[f] = false
end
for i = setFrom, absentFrom - 1, 2 do
  local f, v = ARGV[i], ARGV[i + 1]
  local c = len(f)
  if c then size = size - (#f - 2 + c + 6) end
  size = size + #f - 2 + #v + 6
  cur[f] = #v
end
if size > maxBytes then return {-1, size} end
chunked('HDEL', key, unsetFrom, setFrom - 1)
chunked('HDEL', key, absentFrom, metaFrom - 1)
-- The data pairs, the meta pairs and the new size in one HSET (in chunks of pairs when huge).
local fields = {}
for i = setFrom, absentFrom - 1 do fields[#fields + 1] = ARGV[i] end
for i = metaFrom, #ARGV do fields[#fields + 1] = ARGV[i] end
fields[#fields + 1] = 'm:s'
fields[#fields + 1] = string.format('%d', size)
for i = 1, #fields, 1000 do redis.call('HSET', key, unpack(fields, i, math.min(i + 999, #fields))) end
if ARGV[2] ~= '' then redis.call('PEXPIREAT', key, ARGV[2]) end
if old then return {1, old} end
return {1}
`,
);

/** ARGV: [1] touchedAt, [2] expiresAt, [3] PEXPIREAT ms. Reply {0} missing (no m:c), {1, user?} done. */
export const TOUCH = script(
  'touch',
  `
local key = KEYS[1]
local head = redis.call('HMGET', key, 'm:c', 'm:u')
if not head[1] then return {0} end
redis.call('HSET', key, 'm:t', ARGV[1], 'm:e', ARGV[2])
redis.call('PEXPIREAT', key, ARGV[3])
if head[2] then return {1, head[2]} end
return {1}
`,
);

/** Delete a record. Reply {deleted (0|1), user?}. */
export const DESTROY = script(
  'destroy',
  `
local key = KEYS[1]
local user = redis.call('HGET', key, 'm:u')
local n = redis.call('DEL', key)
if user then return {n, user} end
return {n}
`,
);

/** Delete a record only while it is still bound to ARGV[1]. Reply 1 deleted, 0 not. */
export const DESTROY_IF_USER = script(
  'destroy-if-user',
  `
if redis.call('HGET', KEYS[1], 'm:u') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
);

/**
 * User index: add or move one member and let the set expire with its furthest member.
 * ARGV: [1] member (store key), [2] score (expiresAt, whole ms), [3] 'XX' to only move a member
 * that is already there (creates nothing), '' to add. Reply: members added.
 */
export const INDEX_ADD = script(
  'index-add',
  `
local key = KEYS[1]
local n
if ARGV[3] == 'XX' then
  n = redis.call('ZADD', key, 'XX', ARGV[2], ARGV[1])
else
  n = redis.call('ZADD', key, ARGV[2], ARGV[1])
end
local top = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if top[2] then redis.call('PEXPIREAT', key, top[2]) end
return n
`,
);

/** User index: every member with its score, as strings whatever the client protocol. */
export const INDEX_LIST = script(
  'index-list',
  `
return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
`,
);

/**
 * User index: remove members whose score is still the one the caller saw (so a member that was
 * re-added meanwhile stays). ARGV: member, score pairs. Reply: how many were removed.
 */
export const INDEX_PRUNE = script(
  'index-prune',
  `
local key = KEYS[1]
local n = 0
for i = 1, #ARGV, 2 do
  if redis.call('ZSCORE', key, ARGV[i]) == ARGV[i + 1] then n = n + redis.call('ZREM', key, ARGV[i]) end
end
return n
`,
);
