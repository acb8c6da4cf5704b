-- Full-text search over what the caller may read: message bodies now, voice-note transcripts once they exist,
-- in Arabic and English, within a session or across all of the caller's sessions, newest first, keyset-paged.
--
-- Why the 'simple' text search configuration and no extension: it is built into every PostgreSQL (PGlite, a
-- PostgreSQL 15, a Supabase project), so the embedded backend loads nothing more, and its parser keeps Arabic
-- words whole under the C.UTF-8 and UTF-8 locales those use. No stemming (no Arabic dictionary ships with
-- PostgreSQL): the folding below and word-prefix matching do the work instead. pg_trgm's substring matching
-- would also find a word inside another (و + كتاب), at the cost of an extension to load on PGlite and of
-- queries under three characters that no trigram index can serve.
--
-- The normalised text is a trigger-maintained column (chat_messages.search_vector) with a GIN index. A transcript
-- joins it when its column exists: a later migration makes private.set_message_search_vector() compute
--   private.search_vector(new.body) || private.search_vector(new.transcript)
-- fires the trigger on `update of body, transcript` and backfills; search_messages is unchanged: it matches
-- search_vector, whatever fills it. Every hit is read as the caller (SECURITY INVOKER) from
-- public.chat_messages, so every policy on it applies, RESTRICTIVE ones included: a client never finds a pending
-- voice note, or a row any later migration hides from them (see private.search_candidates for the one step that
-- is not the caller's).

-- Folding, in this order: compatibility decomposition (presentation forms and ligatures become letters; أ إ آ ؤ ئ
-- become their base letter plus a hamza or madda mark; é becomes e plus an accent), lower case, letter variants
-- to one letter (ٱ ٲ ٳ → ا, ى ی → ي, ة → ه, ک → ك, Arabic-Indic digits → 0-9), then the marks go: tashkeel,
-- hamza and madda marks, superscript alef, Quranic marks, honorific signs, tatweel, Latin accents, the soft
-- hyphen and the invisible format characters (zero-width joiners, directional marks and isolates, BOM).
-- src/shared/search/normalize.ts is its TypeScript twin, for highlighting; tests/sql/search.ts keeps them equal.
create or replace function private.search_normalize(p_text text) returns text
language sql immutable strict parallel safe set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.regexp_replace(
           pg_catalog.translate(pg_catalog.lower(pg_catalog.normalize(p_text, 'NFKD')),
                                U&'\0671\0672\0673\0649\06CC\0629\06A9\0660\0661\0662\0663\0664\0665\0666\0667\0668\0669\06F0\06F1\06F2\06F3\06F4\06F5\06F6\06F7\06F8\06F9',
                                U&'\0627\0627\0627\064A\064A\0647\0643' || '01234567890123456789'),
           '[\u00ad\u0300-\u036f\u0610-\u061a\u061c\u0640\u064b-\u065f\u0670\u0674\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]',
           '', 'g')
$$;
revoke all on function private.search_normalize(text) from public;

-- The Arabic article and the particles fused with it (ال، وال، فال، بال، كال، لل، ولل، فلل) before a word of two letters
-- or more. Documents index each word both as written and without it; query terms lose it. So "كتاب" finds
-- "الكتاب" and "بالكتاب", and "الكتاب" finds "كتاب".
create or replace function private.search_strip_articles(p_folded text) returns text
language sql immutable strict parallel safe set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.regexp_replace(p_folded, '(^|[^\u0621-\u064a])(?:[\u0648\u0641\u0628\u0643]?\u0627\u0644|[\u0648\u0641]?\u0644\u0644)([\u0621-\u064a]{2})', '\1\2', 'g')
$$;
revoke all on function private.search_strip_articles(text) from public;

-- A document's lexemes: the folded words, and those without their article.
create or replace function private.search_vector(p_text text) returns tsvector
language sql immutable strict parallel safe set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.to_tsvector('pg_catalog.simple'::regconfig, f.folded)
      || pg_catalog.to_tsvector('pg_catalog.simple'::regconfig, private.search_strip_articles(f.folded))
  from (select private.search_normalize(p_text) as folded) f
$$;
revoke all on function private.search_vector(text) from public;
-- The trigger computes the column under the rights of whoever writes a row (the RPCs' owner, the service role).
grant execute on function private.search_normalize(text), private.search_strip_articles(text), private.search_vector(text)
  to service_role;

-- Kept by a trigger rather than generated: a stored generated column reads as null in BEFORE triggers, so
-- private.stamp_message_change would take every update (a flag too) for a change participants see. This trigger
-- sorts before chat_messages_stamp_change (BEFORE triggers fire by name), so the stamp compares finished rows.
-- Deleted messages have no body (delete_message clears it), so nothing of them is searchable.
alter table public.chat_messages add column if not exists search_vector tsvector;

create or replace function private.set_message_search_vector() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  new.search_vector := private.search_vector(new.body);
  return new;
end
$$;
revoke all on function private.set_message_search_vector() from public;
create or replace trigger chat_messages_search_vector before insert or update of body on public.chat_messages
  for each row execute function private.set_message_search_vector();
-- Rows written before this migration (a database that already holds history).
update public.chat_messages set search_vector = private.search_vector(body) where body is not null and search_vector is null;
create index if not exists chat_messages_search_idx on public.chat_messages using gin (search_vector);
-- search_messages reads the column as the caller; it is derived from body, which `authenticated` reads already.
grant select (search_vector) on public.chat_messages to authenticated;

-- A query as the index matches it: every term (folded, without its article) as a word prefix, all of them
-- required. Refused: an empty query (nothing but spaces or punctuation), one too long, one with too many terms.
create or replace function private.search_query(p_query text) returns tsquery
language plpgsql immutable parallel safe set search_path = pg_catalog, pg_temp
as $$
declare
  v_max_length constant integer := 200;
  v_max_terms constant integer := 12;
  v_terms text[];
begin
  if p_query is null or private.is_blank(p_query) then
    perform private.raise('SA550', 'search.query_empty', jsonb_build_object('argument', 'p_query'));
  end if;
  if length(p_query) > v_max_length then
    perform private.raise('SA551', 'search.query_too_long', jsonb_build_object('length', length(p_query), 'max', v_max_length));
  end if;
  v_terms := pg_catalog.tsvector_to_array(pg_catalog.to_tsvector('pg_catalog.simple'::regconfig,
               private.search_strip_articles(private.search_normalize(p_query))));
  if cardinality(v_terms) = 0 then
    perform private.raise('SA550', 'search.query_empty', jsonb_build_object('argument', 'p_query'));
  end if;
  if cardinality(v_terms) > v_max_terms then
    perform private.raise('SA552', 'search.too_many_terms', jsonb_build_object('terms', cardinality(v_terms), 'max', v_max_terms));
  end if;
  -- Each lexeme quoted as tsquery input quotes it (a quote doubled, a backslash escaped), then marked as a prefix.
  return pg_catalog.array_to_string(array(
           select '''' || replace(replace(t, '\', '\\'), '''', '''''') || ''':*' from unnest(v_terms) t), ' & ')::tsquery;
end
$$;
revoke all on function private.search_query(text) from public;
grant execute on function private.search_normalize(text), private.search_strip_articles(text), private.search_query(text)
  to authenticated;

-- Why the search needs one SECURITY DEFINER step. Under RLS, PostgreSQL never lets a qual that is not leakproof
-- (the text search match @@ is not) run before the policies' quals, so it cannot be an index condition: searched as
-- the caller, every match is a sequential scan of chat_messages. So the candidates are picked by the owner, through
-- the GIN index, restricted by the read rules of chat_messages as its migrations define them (the caller's sessions,
-- every session for staff; pending and rejected voice notes only for their sender and staff: the RESTRICTIVE
-- chat_messages_hide_unapproved). Then search_messages, as the caller, reads each candidate by primary key through
-- RLS, so every policy on chat_messages applies to the hits, a later one included: a row a policy hides is dropped
-- and the next candidates are taken, so a page is never short while older hits exist. The candidates are ids and
-- times only, never content; private is not exposed through the API.
create or replace function private.search_candidates(
  p_query tsquery,
  p_session_id uuid,
  p_before_created_at timestamptz,
  p_before_id uuid,
  p_limit integer
) returns table (id uuid, created_at timestamptz)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp set jit = off
as $$
declare
  v_uid uuid := auth.uid();
  v_staff boolean := private.is_staff();
  v_sessions uuid[];
  -- No position: from the newest message on.
  v_at timestamptz := coalesce(p_before_created_at, 'infinity');
  v_id uuid := coalesce(p_before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff');
begin
  if v_uid is null or p_query is null or p_limit is null or p_limit < 1 then
    return;
  end if;
  if p_session_id is not null then
    if not (v_staff or private.is_participant(p_session_id)) then
      return;
    end if;
    v_sessions := array[p_session_id];
  elsif not v_staff then
    v_sessions := array(select private.my_session_ids());
  end if;
  if v_staff and v_sessions is null then
    -- Staff read every message of every session.
    return query
      select m.id, m.created_at from public.chat_messages m
      where m.search_vector @@ p_query and (m.created_at, m.id) < (v_at, v_id)
      order by m.created_at desc, m.id desc limit p_limit;
  elsif p_session_id is not null then
    -- Within one session: its history newest first on chat_messages_session_keyset_idx, stopping at the page. The
    -- coalesce keeps the GIN index out: a common word's posting list spans the whole table (140,000 rows of a
    -- million in bench:search) where the session holds hundreds of messages.
    return query
      select m.id, m.created_at from public.chat_messages m
      where m.session_id = p_session_id and coalesce(m.search_vector, ''::tsvector) @@ p_query
        and (m.created_at, m.id) < (v_at, v_id)
        and (v_staff or private.visible_to_others(m.status, m.type, m.reviewed_at) or m.sender_id = v_uid)
      order by m.created_at desc, m.id desc limit p_limit;
  else
    return query
      select m.id, m.created_at from public.chat_messages m
      where m.session_id = any(v_sessions) and m.search_vector @@ p_query and (m.created_at, m.id) < (v_at, v_id)
        and (private.visible_to_others(m.status, m.type, m.reviewed_at) or m.sender_id = v_uid)
      order by m.created_at desc, m.id desc limit p_limit;
  end if;
end
$$;
revoke all on function private.search_candidates(tsquery, uuid, timestamptz, uuid, integer) from public;
grant execute on function private.search_candidates(tsquery, uuid, timestamptz, uuid, integer) to authenticated;

-- Messages the caller may read that match p_query, newest first: within p_session_id when given, else across
-- every session the caller may read. Keyset paging as list_messages: the next page is strictly older than
-- (p_before_created_at, p_before_id), the last hit of the page before, so pages never repeat or skip a row
-- whatever arrives meanwhile. The hits come out as chat_message_view, read through private.chat_message_rows under
-- the caller's RLS; the console highlights the terms itself (src/shared/search/normalize.ts) and opens a hit in
-- context with message_context.
create or replace function public.search_messages(
  p_query text,
  p_session_id uuid default null,
  p_before_created_at timestamptz default null,
  p_before_id uuid default null,
  p_limit integer default 20
) returns setof public.chat_message_view
language plpgsql stable security invoker set search_path = pg_catalog, pg_temp set jit = off
as $$
declare
  v_query tsquery;
  v_at timestamptz := p_before_created_at;
  v_id uuid := p_before_id;
  v_found integer := 0;
  v_wanted integer;
  v_ids uuid[];
  v_times timestamptz[];
  v_shown integer;
begin
  perform private.require_caller();
  perform private.check_limit('p_limit', p_limit, 100);
  if (p_before_created_at is null) <> (p_before_id is null) then
    perform private.raise('SA400', 'request.invalid_argument', jsonb_build_object('argument', 'p_before_created_at, p_before_id',
      'reason', 'a keyset position needs both values'));
  end if;
  v_query := private.search_query(p_query);
  if p_session_id is not null and not exists (select 1 from public.chat_sessions s where s.id = p_session_id) then
    perform private.raise('SA404', 'chat.session_not_found', jsonb_build_object('session_id', p_session_id));
  end if;
  loop
    v_wanted := p_limit - v_found;
    select coalesce(array_agg(c.id order by c.created_at desc, c.id desc), '{}'),
           coalesce(array_agg(c.created_at order by c.created_at desc, c.id desc), '{}')
      into v_ids, v_times
      from private.search_candidates(v_query, p_session_id, v_at, v_id, v_wanted) c;
    return query
      select (r.message).* from private.chat_message_rows r
      where r.id = any(v_ids)
      order by r.created_at desc, r.id desc;
    get diagnostics v_shown = row_count;
    v_found := v_found + v_shown;
    exit when v_found >= p_limit or cardinality(v_ids) < v_wanted;
    v_at := v_times[cardinality(v_times)];
    v_id := v_ids[cardinality(v_ids)];
  end loop;
end
$$;

-- A message in context: up to p_before messages before it, the message, up to p_after after it, oldest first,
-- all of its session and all of them the caller's to read (RLS). chat.message_not_found when the caller may not
-- read the message itself.
create or replace function public.message_context(p_message_id uuid, p_before integer default 20, p_after integer default 20)
returns setof public.chat_message_view
language plpgsql stable security invoker set search_path = pg_catalog, pg_temp
as $$
declare
  v_session_id uuid;
  v_created_at timestamptz;
begin
  perform private.require_caller();
  perform private.check_limit('p_before', p_before, 200);
  perform private.check_limit('p_after', p_after, 200);
  select m.session_id, m.created_at into v_session_id, v_created_at
    from public.chat_messages m where m.id = p_message_id;
  if not found then
    perform private.raise('SA405', 'chat.message_not_found', jsonb_build_object('message_id', p_message_id));
  end if;
  return query
    select (c.message).* from (
      (select r.message, r.created_at, r.id from private.chat_message_rows r
        where r.session_id = v_session_id and (r.created_at, r.id) < (v_created_at, p_message_id)
        order by r.created_at desc, r.id desc limit p_before)
      union all
      (select r.message, r.created_at, r.id from private.chat_message_rows r where r.id = p_message_id)
      union all
      (select r.message, r.created_at, r.id from private.chat_message_rows r
        where r.session_id = v_session_id and (r.created_at, r.id) > (v_created_at, p_message_id)
        order by r.created_at, r.id limit p_after)
    ) c
    order by c.created_at, c.id;
end
$$;

revoke all on function public.search_messages(text, uuid, timestamptz, uuid, integer) from public, anon;
revoke all on function public.message_context(uuid, integer, integer) from public, anon;
grant execute on function public.search_messages(text, uuid, timestamptz, uuid, integer) to authenticated;
grant execute on function public.message_context(uuid, integer, integer) to authenticated;
