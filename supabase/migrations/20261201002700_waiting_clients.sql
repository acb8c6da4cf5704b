-- Waiting clients: since when the client of a session has been waiting for an answer. It is a field of
-- every session row (public.chat_session_view.waiting_since, filled by private.session_views), so the list,
-- the pushed rows and the staff's list of every session carry it, right after a restart, with no second read.
--
-- A client waits from their oldest message that no reader or staff member of the session has answered
-- since. An answer is a message the client will get: sent, approved, or a voice note in review (the
-- reader has answered; the monitor has not passed it yet); a rejected or deleted one is no answer. A
-- question is what the reader can read: sent or approved (a note still in review is not in front of
-- them). System messages and internal notes are neither (a note is never in
-- front of the client). Only active sessions wait.
--
-- SECURITY INVOKER: it reads what the caller may read (the RLS of the chat tables), as session_views does.
-- Both lookups walk chat_messages_session_keyset_idx (session_id, created_at, id) from one end.
create or replace function private.client_waiting_since(p_session_id uuid) returns timestamptz
language sql stable security invoker set search_path = pg_catalog, pg_temp
as $$
  with answered as (
    select coalesce(max(m.created_at), '-infinity'::timestamptz) as at
      from public.chat_messages m
      join public.chat_participants cp on cp.session_id = m.session_id and cp.user_id = m.sender_id
     where m.session_id = p_session_id
       and cp.role_in_session <> 'client'
       and m.type not in ('system', 'note')
       and m.status in ('sent', 'approved', 'pending_approval')
  )
  select min(m.created_at)
    from public.chat_messages m
    join public.chat_participants cp on cp.session_id = m.session_id and cp.user_id = m.sender_id
    cross join answered a
   where m.session_id = p_session_id
     and exists (select 1 from public.chat_sessions s where s.id = p_session_id and s.status = 'active')
     and cp.role_in_session = 'client'
     and m.type <> 'system'
     and m.status in ('sent', 'approved')
     and m.created_at > a.at
$$;
revoke all on function private.client_waiting_since(uuid) from public;
grant execute on function private.client_waiting_since(uuid) to authenticated;
