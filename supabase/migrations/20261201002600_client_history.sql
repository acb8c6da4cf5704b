-- Client history: beside a conversation, the client's sessions with this and other readers, their dates, and
-- the internal notes about them.
--
-- Who sees what:
--   staff        every session of the client, and every note in them (staff read every session anyway);
--   a reader     of a client of theirs (a session where that person is the client and the reader is its
--                reader): every session of the client as a date line — type, status, when it began and when
--                its last message was, and its readers' names (readers' cards are public) — and whether the
--                reader took part. Never a message, a preview, a count or a note of a session they did not
--                take part in: those stay under the RLS of chat_messages. Notes (client_notes) are the ones
--                the reader may read, those of their own sessions with the client.
--   anyone else  refused: a client (SA564), a reader asking about someone who is not their client (SA563,
--                the same answer as for no such person).
-- "Their last readings' dates": each row's last_activity_at; a reading is a session with a reader.

-- The caller may look at this person's history (staff, or a reader of theirs), or the refusal.
create or replace function private.require_history_access(p_client_id uuid) returns void
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  if v_caller.role = 'client' then
    perform private.raise('SA564', 'history.forbidden', jsonb_build_object('role', v_caller.role));
  end if;
  if p_client_id is null
     or not exists (select 1 from public.profiles p where p.id = p_client_id)
     or (v_caller.role not in ('monitor', 'admin', 'super_admin')
         and not exists (select 1 from public.chat_participants mine
                           join public.chat_participants theirs on theirs.session_id = mine.session_id
                          where mine.user_id = v_caller.uid and mine.role_in_session = 'reader'
                            and theirs.user_id = p_client_id and theirs.role_in_session = 'client')) then
    perform private.raise('SA563', 'history.client_not_found', jsonb_build_object('client_id', p_client_id));
  end if;
end
$$;
revoke all on function private.require_history_access(uuid) from public;
-- client_notes (SECURITY INVOKER) starts with it.
grant execute on function private.require_history_access(uuid) to authenticated;

-- The client's sessions, most recent activity first, at most p_limit (1-200).
create or replace function public.client_history(p_client_id uuid, p_limit integer default 50)
returns table (
  session_id uuid,
  type text,
  status text,
  created_at timestamptz,
  last_activity_at timestamptz,
  -- [{user_id, display_name}] of the session's readers, in joining order
  readers jsonb,
  took_part boolean
)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_history_access(p_client_id);
  perform private.check_limit('p_limit', p_limit, 200);
  return query
    select s.id, s.type, s.status, s.created_at, coalesce(s.last_message_at, s.created_at),
           coalesce((select jsonb_agg(jsonb_build_object('user_id', r.user_id, 'display_name', coalesce(p.display_name, ''))
                                      order by r.joined_at, r.user_id)
                       from public.chat_participants r left join public.profiles p on p.id = r.user_id
                      where r.session_id = s.id and r.role_in_session = 'reader'), '[]'::jsonb),
           exists (select 1 from public.chat_participants me where me.session_id = s.id and me.user_id = auth.uid())
    from public.chat_participants c
    join public.chat_sessions s on s.id = c.session_id
    where c.user_id = p_client_id and c.role_in_session = 'client'
    order by coalesce(s.last_message_at, s.created_at) desc, s.id desc
    limit p_limit;
end
$$;

-- The internal notes about the client the caller may read (RLS decides: staff all, a reader those of their
-- own sessions with the client), newest first, at most p_limit (1-200).
create or replace function public.client_notes(p_client_id uuid, p_limit integer default 50)
returns setof public.chat_message_view
language plpgsql stable security invoker set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_history_access(p_client_id);
  perform private.check_limit('p_limit', p_limit, 200);
  return query
    select (r.message).* from private.chat_message_rows r
    where r.type = 'note' and r.status <> 'deleted'
      and r.session_id in (select c.session_id from public.chat_participants c
                            where c.user_id = p_client_id and c.role_in_session = 'client')
    order by r.created_at desc, r.id desc
    limit p_limit;
end
$$;

revoke all on function public.client_history(uuid, integer) from public, anon;
revoke all on function public.client_notes(uuid, integer) from public, anon;
grant execute on function public.client_history(uuid, integer) to authenticated;
grant execute on function public.client_notes(uuid, integer) to authenticated;
