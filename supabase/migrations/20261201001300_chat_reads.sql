-- Chat reads: everything the consoles (and the clients' app) read about conversations, as functions,
-- so that ordering, limits and visibility are defined once, here, and both backends answer alike.
-- Each runs as the caller (SECURITY INVOKER): the RLS of the chat tables decides which rows exist for
-- it; these only select, shape and page them. Messages come out as public.chat_message_view.

-- One row of the session list: the session, the caller's read state, a preview of the last message
-- the caller may see, and the participants (with presence and read receipts).
create type public.chat_session_view as (
  id uuid,
  type text,
  status text,
  booking_id uuid,
  created_by uuid,
  created_at timestamptz,
  last_message_at timestamptz,
  unread_count integer,
  last_read_at timestamptz,
  -- {id, type, preview (the first 160 characters of a text's body, else null), sender_id, created_at}
  last_message jsonb,
  -- [{user_id, display_name, role, role_in_session, availability, last_read_at}] in joining order
  participants jsonb,
  -- Since when the client has waited for an answer; null when nobody waits (private.client_waiting_since,
  -- 20261201002700_waiting_clients.sql)
  waiting_since timestamptz
);

-- The list and the single session share this one query (so a pushed change merged with get_session
-- looks exactly like the list), whatever the number of sessions: the sessions are picked first (the
-- caller's own through chat_participants_user_idx; all of them for staff, in chat_sessions_recent_idx
-- order, stopping at the limit), then each picked row gets its counts, preview and participants from
-- index lookups.
--   Ended sessions stay listed while their last message is less than 7 days old.
--   Unread: messages from others created after the caller's last read, plus voice notes approved
--   after it (they became visible then); pending notes count for staff only. Zero where the caller
--   is not a participant (staff looking on). Internal notes are neither unread nor the last message,
--   for anyone: they are not the conversation (and a client never sees them at all, by RLS).
-- jit off: the per-row policy functions make the estimate look expensive enough for JIT, whose
-- compilation then costs more than the whole (index-driven) query.
create or replace function private.session_views(p_session_ids uuid[], p_limit integer)
returns setof public.chat_session_view
language plpgsql stable security invoker set search_path = pg_catalog, pg_temp set jit = off
as $$
declare
  v_uid uuid := auth.uid();
  v_staff boolean := private.is_staff();
  v_ids uuid[];
begin
  -- Each way of picking is a statement of its own, so each is planned for its own index (one statement with
  -- three branches gets a generic plan that scans and sorts every session for staff).
  if p_session_ids is not null then
    v_ids := array(select distinct pick from unnest(p_session_ids) as pick where pick is not null limit p_limit);
  elsif v_staff then
    v_ids := array(
      select s.id from public.chat_sessions s
       where s.status <> 'ended' or s.last_message_at > now() - interval '7 days'
       order by coalesce(s.last_message_at, s.created_at) desc, s.id desc
       limit p_limit);
  else
    v_ids := array(
      select s.id from public.chat_participants mine
        join public.chat_sessions s on s.id = mine.session_id
       where mine.user_id = v_uid
         and (s.status <> 'ended' or s.last_message_at > now() - interval '7 days')
       order by coalesce(s.last_message_at, s.created_at) desc, s.id desc
       limit p_limit);
  end if;
  return query
  with picked as materialized (
    -- Under RLS: an id the caller may not read (get_session) yields no row.
    select s.id, s.type, s.status, s.booking_id, s.created_by, s.created_at, s.last_message_at,
           mine.last_read_at, mine.user_id is not null as joined
    -- Lookups by key for each picked id (lateral), never a scan to join a few hundred ids against every session.
    -- Each lookup is by primary key, so `limit 1` changes no answer; it keeps the lookup a subquery of its own,
    -- run per picked id. Pulled up into a join, it was planned as a hash join over a sequential scan of the
    -- whole table: the tables' policy (is_staff() or id in my_session_ids()) holds a hashed subplan, whose
    -- start-up cost the planner charges to every one of the index lookups (it is built once, and never for staff).
    from unnest(v_ids) as pick (id)
    cross join lateral (select * from public.chat_sessions cs where cs.id = pick.id limit 1) s
    left join lateral (select cp.user_id, cp.last_read_at from public.chat_participants cp
                        where cp.session_id = pick.id and cp.user_id = v_uid limit 1) mine on true
  )
  select p.id, p.type, p.status, p.booking_id, p.created_by, p.created_at, p.last_message_at,
         case when not p.joined then 0 else (
           (select count(*) from public.chat_messages m
             where m.session_id = p.id
               and m.created_at > coalesce(p.last_read_at, '-infinity')
               and m.sender_id is distinct from v_uid
               and m.type <> 'note'
               and (m.status in ('sent', 'approved') or (m.status = 'pending_approval' and v_staff)))
           + (select count(*) from public.chat_messages m
               where m.session_id = p.id and m.status = 'approved'
                 and m.reviewed_at > coalesce(p.last_read_at, '-infinity')
                 and m.created_at <= coalesce(p.last_read_at, '-infinity')
                 and m.sender_id is distinct from v_uid))::integer end,
         p.last_read_at,
         (select jsonb_build_object('id', m.id, 'type', m.type,
                                    'preview', case when m.type = 'text' then left(m.body, 160) end,
                                    'sender_id', m.sender_id, 'created_at', m.created_at)
            from public.chat_messages m
           where m.session_id = p.id and m.type <> 'note'
           order by m.created_at desc, m.id desc
           limit 1),
         -- The card is a correlated subquery, not a join: its `pc.id = <participant>` then reaches into
         -- the security_barrier view as a (leakproof) restriction and becomes a primary-key lookup,
         -- where a join would scan every visible profile once per session.
         coalesce((select jsonb_agg(jsonb_build_object('user_id', cp.user_id, 'role_in_session', cp.role_in_session,
                                                        'last_read_at', cp.last_read_at)
                                    || coalesce((select jsonb_build_object('display_name', pc.display_name, 'role', pc.role,
                                                                           'availability', pc.availability)
                                                   from public.profile_cards pc where pc.id = cp.user_id),
                                                jsonb_build_object('display_name', '', 'role', 'client', 'availability', 'offline'))
                                    order by cp.joined_at, cp.user_id)
                     from public.chat_participants cp
                    where cp.session_id = p.id), '[]'::jsonb),
         private.client_waiting_since(p.id)
  from picked p
  order by coalesce(p.last_message_at, p.created_at) desc, p.id desc;
end
$$;
revoke all on function private.session_views(uuid[], integer) from public;
grant execute on function private.session_views(uuid[], integer) to authenticated;

-- The caller's sessions (every session for staff), most recent activity first.
create or replace function public.list_sessions(p_limit integer default 500)
returns setof public.chat_session_view
language plpgsql stable security invoker set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_caller();
  perform private.check_limit('p_limit', p_limit);
  return query select * from private.session_views(null, p_limit);
end
$$;

-- One session in the list's shape, ended or not; chat.session_not_found when the caller may not read it.
create or replace function public.get_session(p_session_id uuid)
returns setof public.chat_session_view
language plpgsql stable security invoker set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_caller();
  if p_session_id is not null then
    return query select * from private.session_views(array[p_session_id], 1);
  end if;
  if p_session_id is null or not found then
    perform private.raise('SA404', 'chat.session_not_found', jsonb_build_object('session_id', p_session_id));
  end if;
end
$$;

-- Several sessions in the list's shape at once (a console catching up with many pushed changes: one call,
-- not one per session). Sessions the caller may not read, or that do not exist, are left out: the caller
-- treats a missing id as get_session's chat.session_not_found. At most 100 ids.
create or replace function public.get_sessions(p_session_ids uuid[])
returns setof public.chat_session_view
language plpgsql stable security invoker set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_caller();
  perform private.check_limit('p_session_ids', coalesce(cardinality(p_session_ids), 0), 100);
  return query select * from private.session_views(p_session_ids, 100);
end
$$;

-- A page of a session's history, newest first, strictly older than (p_before_created_at, p_before_id)
-- when given: keyset paging on chat_messages_session_keyset_idx, whatever the depth. Two statements
-- rather than one with an OR, so that each keeps an index range for its generic plan.
create or replace function public.list_messages(
  p_session_id uuid,
  p_before_created_at timestamptz default null,
  p_before_id uuid default null,
  p_limit integer default 50
) returns setof public.chat_message_view
language plpgsql stable security invoker set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_caller();
  perform private.check_limit('p_limit', p_limit);
  if (p_before_created_at is null) <> (p_before_id is null) then
    perform private.raise('SA400', 'request.invalid_argument', jsonb_build_object('argument', 'p_before_created_at, p_before_id',
      'reason', 'a keyset position needs both values'));
  end if;
  if p_session_id is null or not exists (select 1 from public.chat_sessions s where s.id = p_session_id) then
    perform private.raise('SA404', 'chat.session_not_found', jsonb_build_object('session_id', p_session_id));
  end if;
  if p_before_id is null then
    return query
      select (r.message).* from private.chat_message_rows r
      where r.session_id = p_session_id
      order by r.created_at desc, r.id desc
      limit p_limit;
  else
    return query
      select (r.message).* from private.chat_message_rows r
      where r.session_id = p_session_id and (r.created_at, r.id) < (p_before_created_at, p_before_id)
      order by r.created_at desc, r.id desc
      limit p_limit;
  end if;
end
$$;

-- What changed since a cursor the server issued: the catch-up after a reconnect, a sleep or a
-- restart. A message is "changed" when its change_xid (the transaction that last changed what
-- participants see of it) is new to the caller.
--
-- The cursor is the snapshot the previous answer was read in (pg_current_snapshot(): xmin, xmax and
-- the transactions in progress), not a clock: a transaction that began before the previous answer
-- and commits after it wrote rows that answer could not see, and a timestamp cursor would skip them
-- for good. Here they are exactly the rows whose change_xid was not visible in that snapshot, so the
-- next answer returns them, however late they commit. Rows can come twice (a row visible then with a
-- change_xid above the snapshot's xmin may be returned again); the console merges by id.
--
-- Pages: at most p_limit messages in (change_xid, id) order. While complete = false the cursor also
-- carries the position reached, and the caller asks again at once; rows committed late behind that
-- position are still returned (they were not visible in the cursor's snapshot).
--
--   p_cursor null    start now: no messages, a cursor for "everything after this moment"
--   answer           jsonb {messages: [chat_message_view...], cursor: text, complete: boolean}
--   chat.invalid_cursor  malformed, or from another database (e.g. the embedded database was
--                    recreated): start again with null and reload.
create or replace function public.messages_changed_since(p_cursor text default null, p_limit integer default 500)
returns jsonb
language plpgsql stable security invoker set search_path = pg_catalog, pg_temp
as $$
declare
  v_now pg_catalog.pg_snapshot := pg_catalog.pg_current_snapshot();
  v_parts text[];
  v_prev pg_catalog.pg_snapshot;
  v_pos_xid pg_catalog.xid8;
  v_pos_id uuid;
  v_lower pg_catalog.xid8;
  v_messages jsonb;
  v_more boolean;
  v_last_xid pg_catalog.xid8;
  v_last_id uuid;
begin
  perform private.require_caller();
  perform private.check_limit('p_limit', p_limit);
  if p_cursor is null then
    return jsonb_build_object('messages', '[]'::jsonb, 'cursor', '1|' || v_now::text || '||', 'complete', true);
  end if;

  v_parts := string_to_array(p_cursor, '|');
  if cardinality(v_parts) is distinct from 4 or v_parts[1] <> '1'
     or v_parts[2] !~ '^[0-9]{1,20}:[0-9]{1,20}:([0-9]{1,20}(,[0-9]{1,20})*)?$'
     or not ((v_parts[3] = '' and v_parts[4] = '')
             or (v_parts[3] ~ '^[0-9]{1,20}$' and private.uuid_or_null(v_parts[4]) is not null)) then
    perform private.raise('SA419', 'chat.invalid_cursor', jsonb_build_object('reason', 'malformed'));
  end if;
  begin
    v_prev := v_parts[2]::pg_catalog.pg_snapshot;
    v_pos_xid := nullif(v_parts[3], '')::pg_catalog.xid8;
  exception when data_exception then
    perform private.raise('SA419', 'chat.invalid_cursor', jsonb_build_object('reason', 'malformed'));
  end;
  v_pos_id := private.uuid_or_null(v_parts[4]);
  -- A snapshot this database has not reached yet was issued by another one: answering from it would
  -- silently skip everything up to it.
  if pg_catalog.pg_snapshot_xmax(v_prev) > pg_catalog.pg_snapshot_xmax(v_now)
     or v_pos_xid >= pg_catalog.pg_snapshot_xmax(v_prev) then
    perform private.raise('SA419', 'chat.invalid_cursor', jsonb_build_object('reason', 'not issued by this database'));
  end if;

  -- Everything below the snapshot's xmin was visible in it; a position may lie lower still.
  v_lower := pg_catalog.pg_snapshot_xmin(v_prev);
  if v_pos_xid is not null and v_pos_xid < v_lower then
    v_lower := v_pos_xid;
  end if;

  select coalesce(jsonb_agg(to_jsonb(x.message) order by x.n) filter (where x.n <= p_limit), '[]'::jsonb),
         count(*) > p_limit,
         (array_agg(x.change_xid) filter (where x.n = p_limit))[1],
         (array_agg(x.id) filter (where x.n = p_limit))[1]
    into v_messages, v_more, v_last_xid, v_last_id
  from (
    select c.message, c.change_xid, c.id, row_number() over (order by c.change_xid, c.id) as n
    from (
      select r.message, r.change_xid, r.id
      from private.chat_message_rows r
      where r.change_xid >= v_lower
        and (not pg_catalog.pg_visible_in_snapshot(r.change_xid, v_prev)
             or (v_pos_xid is not null and (r.change_xid, r.id) > (v_pos_xid, v_pos_id)))
      order by r.change_xid, r.id
      limit p_limit + 1
    ) c
  ) x;

  return jsonb_build_object(
    'messages', v_messages,
    'cursor', '1|' || v_now::text || '|' || case when v_more then v_last_xid::text || '|' || v_last_id::text else '|' end,
    'complete', not v_more);
end
$$;

-- The approval queue, oldest first: every pending voice note for staff; a reader sees only their own
-- (what RLS shows them). Never a client's: RLS hides pending notes from everyone but sender and staff.
create or replace function public.pending_audio(p_limit integer default 200)
returns setof public.chat_message_view
language plpgsql stable security invoker set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_caller();
  perform private.check_limit('p_limit', p_limit);
  return query
    select (r.message).* from private.chat_message_rows r
    where r.status = 'pending_approval' and r.type = 'audio'
    order by r.created_at, r.id
    limit p_limit;
end
$$;

revoke all on function public.list_sessions(integer) from public, anon;
revoke all on function public.get_session(uuid) from public, anon;
revoke all on function public.get_sessions(uuid[]) from public, anon;
revoke all on function public.list_messages(uuid, timestamptz, uuid, integer) from public, anon;
revoke all on function public.messages_changed_since(text, integer) from public, anon;
revoke all on function public.pending_audio(integer) from public, anon;
grant execute on function public.list_sessions(integer) to authenticated;
grant execute on function public.get_session(uuid) to authenticated;
grant execute on function public.get_sessions(uuid[]) to authenticated;
grant execute on function public.list_messages(uuid, timestamptz, uuid, integer) to authenticated;
grant execute on function public.messages_changed_since(text, integer) to authenticated;
grant execute on function public.pending_audio(integer) to authenticated;
