-- Internal notes: a chat_messages row of type 'note', written in a session by its reader or by staff, read by
-- its sender, staff and the session's reader, never by the client, by any path. The rule lives where the
-- pending voice notes' does (..._chat.sql): private.visible_to_others is false for every note (so the realtime
-- fan-out, storage, replies and the client's reads never carry one), the RESTRICTIVE policy on chat_messages
-- admits a note to private.reads_notes only, unread counts and the session list's last message skip notes,
-- and a note never moves chat_sessions.last_message_at (a client reads that row: a change would tell it a
-- note was written). Notes are text only (no file), and not edited.
--
-- @mentions: add_note takes the mentioned users' ids (the composer resolves "@name" to an id); each must be
-- someone who reads the session's notes (staff, or its reader). Each is told on their own inbox topic,
-- user:{id}, with a `note_mention` broadcast; the console turns it into a notification.

-- Who was mentioned in which note. Private: read by nobody through the API (the note itself carries the
-- text; the broadcast carries the news).
create table if not exists private.note_mentions (
  message_id uuid not null references public.chat_messages (id),
  user_id uuid not null references public.profiles (id),
  created_at timestamptz not null default now(),
  primary key (message_id, user_id)
);
create index if not exists note_mentions_user_idx on private.note_mentions (user_id, created_at);
revoke all on private.note_mentions from public;
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    execute 'revoke all on private.note_mentions from anon, authenticated, service_role';
  end if;
end
$$;

-- At most this many people are mentioned in one note: a note is not a broadcast to all staff.
create or replace function private.note_max_mentions() returns integer
language sql immutable set search_path = pg_catalog, pg_temp
as $$ select 20 $$;
revoke all on function private.note_max_mentions() from public;

-- Writes an internal note. Idempotent on p_client_message_id like send_message (a retry returns the note).
--   SA404 the session does not exist or the caller may not read it; SA560 the caller may read it but not
--   write notes in it (its client); SA561 too many mentions; SA562 a mention names someone who may not read
--   the note. The body follows the message rules (SA421 blank, SA422 too long), the sender's message rate
--   limit (SA429) applies; the session's daily quota does not (it is the client's to observe).
create or replace function public.add_note(
  p_session_id uuid,
  p_client_message_id uuid,
  p_body text,
  p_mentions uuid[] default null
) returns public.chat_message_view
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_msg public.chat_messages;
  v_body text := private.trim_text(p_body);
  v_max bigint;
  v_mentions uuid[];
  v_user uuid;
  v_sender_name text;
  s jsonb;
begin
  select * into v_caller from private.require_caller();
  if p_client_message_id is null then
    perform private.raise('SA437', 'chat.client_message_id_required');
  end if;
  perform pg_advisory_xact_lock(hashtextextended('samia.send_message:' || v_caller.uid::text, 0));

  select * into v_msg from public.chat_messages m
  where m.sender_id = v_caller.uid and m.client_message_id = p_client_message_id;
  if found then
    if v_msg.session_id is distinct from p_session_id or v_msg.type <> 'note' then
      perform private.raise('SA418', 'chat.client_message_id_reused',
        jsonb_build_object('client_message_id', p_client_message_id, 'message_id', v_msg.id));
    end if;
    return private.message_view(v_msg, true);
  end if;

  if p_session_id is null or not exists (select 1 from public.chat_sessions cs where cs.id = p_session_id)
     or not (v_caller.role in ('monitor', 'admin', 'super_admin') or private.is_participant(p_session_id)) then
    perform private.raise('SA404', 'chat.session_not_found', jsonb_build_object('session_id', p_session_id));
  end if;
  if not private.reads_notes(p_session_id, v_caller.uid) then
    perform private.raise('SA560', 'note.forbidden', jsonb_build_object('session_id', p_session_id));
  end if;
  if exists (select 1 from public.chat_messages m where m.id = p_client_message_id) then
    perform private.raise('SA409', 'chat.client_message_id_conflict', jsonb_build_object('client_message_id', p_client_message_id));
  end if;

  s := private.console_settings();
  if v_body is null then
    perform private.raise('SA421', 'chat.body_required');
  end if;
  v_max := private.setting_int(s, 'console.message.max_body_length');
  if length(v_body) > v_max then
    perform private.raise('SA422', 'chat.body_too_long', jsonb_build_object('length', length(v_body), 'max', v_max));
  end if;

  if p_mentions is not null and cardinality(p_mentions) > 0 then
    if array_ndims(p_mentions) <> 1 or array_position(p_mentions, null) is not null then
      perform private.raise('SA400', 'request.invalid_argument',
        jsonb_build_object('argument', 'p_mentions', 'reason', 'a list of user ids without nulls'));
    end if;
    v_mentions := array(select distinct u from unnest(p_mentions) u where u <> v_caller.uid order by u);
    if cardinality(p_mentions) > private.note_max_mentions() then
      perform private.raise('SA561', 'note.too_many_mentions',
        jsonb_build_object('count', cardinality(p_mentions), 'max', private.note_max_mentions()));
    end if;
    foreach v_user in array v_mentions loop
      if not private.reads_notes(p_session_id, v_user) then
        perform private.raise('SA562', 'note.invalid_mention', jsonb_build_object('user_id', v_user));
      end if;
    end loop;
  else
    v_mentions := '{}';
  end if;

  perform private.take_rate('user_messages', v_caller.uid, private.setting_int(s, 'console.rate_limit.messages_per_minute'), 60,
                            'SA429', 'chat.rate_limited');

  insert into public.chat_messages (id, session_id, sender_id, type, body, status, client_message_id)
  values (p_client_message_id, p_session_id, v_caller.uid, 'note', v_body, 'sent', p_client_message_id)
  returning * into v_msg;

  if cardinality(v_mentions) > 0 then
    insert into private.note_mentions (message_id, user_id) select v_msg.id, u from unnest(v_mentions) u;
    select p.display_name into v_sender_name from public.profiles p where p.id = v_caller.uid;
    foreach v_user in array v_mentions loop
      perform realtime.send(
        jsonb_build_object('message_id', v_msg.id, 'session_id', v_msg.session_id, 'sender_id', v_caller.uid,
                           'sender_name', coalesce(v_sender_name, ''), 'preview', left(v_msg.body, 160),
                           'created_at', v_msg.created_at),
        'note_mention', 'user:' || v_user::text, true);
    end loop;
  end if;
  return private.message_view(v_msg, true);
end
$$;

-- Whom the caller may mention in a note of this session: staff, and the session's reader (everyone who
-- reads its notes but the caller), alphabetical. Only for those who may write notes there.
create or replace function public.note_mention_candidates(p_session_id uuid)
returns table (id uuid, display_name text, role text)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  if p_session_id is null or not exists (select 1 from public.chat_sessions cs where cs.id = p_session_id)
     or not (v_caller.role in ('monitor', 'admin', 'super_admin') or private.is_participant(p_session_id)) then
    perform private.raise('SA404', 'chat.session_not_found', jsonb_build_object('session_id', p_session_id));
  end if;
  if not private.reads_notes(p_session_id, v_caller.uid) then
    perform private.raise('SA560', 'note.forbidden', jsonb_build_object('session_id', p_session_id));
  end if;
  return query
    select p.id, p.display_name, p.role
    from public.profiles p
    where p.id <> v_caller.uid
      and (p.role in ('monitor', 'admin', 'super_admin')
           or (p.role = 'reader' and exists (select 1 from public.chat_participants cp
                                              where cp.session_id = p_session_id and cp.user_id = p.id)
               and private.reads_notes(p_session_id, p.id)))
    order by p.display_name, p.id;
end
$$;

revoke all on function public.add_note(uuid, uuid, text, uuid[]) from public, anon;
revoke all on function public.note_mention_candidates(uuid) from public, anon;
grant execute on function public.add_note(uuid, uuid, text, uuid[]) to authenticated;
grant execute on function public.note_mention_candidates(uuid) to authenticated;
