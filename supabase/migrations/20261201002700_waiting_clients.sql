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
-- The last answer is each answerer's last message, by key in chat_messages_sender_session_idx (sender_id,
-- session_id, created_at): its cost does not grow with the messages the client sent since (walking the session
-- back to the last answer read every one of them, on every message and every row of the session list). The
-- question is then a walk of chat_messages_session_keyset_idx (session_id, created_at, id) from that answer on.
create or replace function private.client_waiting_since(p_session_id uuid) returns timestamptz
language sql stable security invoker set search_path = pg_catalog, pg_temp
as $$
  -- Each lookup is an ORDER BY .. LIMIT 1 on the index, so the plan stays a walk from one end whatever the
  -- statistics say (the embedded backend's tables may not have been analysed yet): as min() and max() over a
  -- join, a table taken for empty got a nested loop that read the session once per message. Who answers and who
  -- asks are read once (the session's few participants, as arrays), so a row of the walk costs a comparison, not a
  -- join; and the last answer is a sub-select of its own: a parameter, so the bound is an index condition under RLS
  -- (a bare coalesce() is not leakproof, and would only filter the session's rows one by one). Ties on created_at
  -- need no id order there: only the time is kept.
  select m.created_at
    from public.chat_messages m
   where m.session_id = p_session_id
     and exists (select 1 from public.chat_sessions s where s.id = p_session_id and s.status = 'active')
     and m.sender_id = any (array(select cp.user_id from public.chat_participants cp
                                   where cp.session_id = p_session_id and cp.role_in_session = 'client'))
     and m.type <> 'system'
     and m.status in ('sent', 'approved')
     and m.created_at > (select coalesce(max(answer.created_at), '-infinity'::timestamptz)
           from unnest(array(select cp.user_id from public.chat_participants cp
                              where cp.session_id = p_session_id and cp.role_in_session <> 'client')) as answerer (id)
           cross join lateral (
             select a.created_at
               from public.chat_messages a
              where a.session_id = p_session_id
                and a.sender_id = answerer.id
                and a.type not in ('system', 'note')
                and a.status in ('sent', 'approved', 'pending_approval')
              order by a.created_at desc
              limit 1) answer)
   order by m.created_at, m.id
   limit 1
$$;
revoke all on function private.client_waiting_since(uuid) from public;
grant execute on function private.client_waiting_since(uuid) to authenticated;
