-- send_message, faster: limits are read in one pass and counted with O(1) counters.
-- Rate limits and the session quota count in fixed windows (the current UTC minute / UTC day)
-- kept in private.send_counters: one row per user and kind, one per session, updated in the
-- sending transaction (so a refused or failed send counts nothing). Counting chat_messages instead
-- cost time proportional to the limits and the session's history.
create table if not exists private.send_counters (
  scope text not null check (scope in ('user_messages', 'user_audio', 'session_messages')),
  subject uuid not null,
  window_start timestamptz not null,
  n integer not null,
  primary key (scope, subject)
);
revoke all on private.send_counters from public;

-- Adds one to the subject's counter for the window (restarting it when the window moved on)
-- and returns the new count.
create or replace function private.bump_counter(p_scope text, p_subject uuid, p_window timestamptz)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_n integer;
begin
  insert into private.send_counters as c (scope, subject, window_start, n)
  values (p_scope, p_subject, p_window, 1)
  on conflict (scope, subject) do update
    set n = case when c.window_start = excluded.window_start then c.n + 1 else 1 end,
        window_start = excluded.window_start
  returning c.n into v_n;
  return v_n;
end
$$;
revoke all on function private.bump_counter(text, uuid, timestamptz) from public;

-- PL/pgSQL rather than SQL from here on for the hot helpers: a SECURITY DEFINER SQL function is
-- never inlined and is planned again at every call; PL/pgSQL keeps its plans for the session.
create or replace function private.console_settings() returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (select jsonb_object_agg(d.key, coalesce(s.value, d.default_value))
          from private.setting_definitions d
          left join public.app_settings s on s.key = d.key and s.key like 'console.%');
end
$$;

create or replace function private.my_role() returns text
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select coalesce(p.role, 'client') from public.profiles p where p.id = auth.uid());
end
$$;

create or replace function private.is_staff() returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce(private.my_role() in ('monitor', 'admin', 'super_admin'), false);
end
$$;

create or replace function private.is_admin() returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce(private.my_role() in ('admin', 'super_admin'), false);
end
$$;

create or replace function private.is_super_admin() returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce(private.my_role() = 'super_admin', false);
end
$$;

create or replace function private.is_participant(p_session_id uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return exists (select 1 from public.chat_participants cp
                 where cp.session_id = p_session_id and cp.user_id = auth.uid());
end
$$;
revoke all on function private.console_settings() from public;

create or replace function public.get_console_settings() returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_object_agg(
    d.key,
    case d.kind
      when 'int' then to_jsonb(coalesce(s.value, d.default_value)::bigint)
      else to_jsonb(string_to_array(coalesce(s.value, d.default_value), ','))
    end)
  from private.setting_definitions d
  left join public.app_settings s on s.key = d.key and s.key like 'console.%'
  where auth.uid() is not null
$$;
revoke all on function public.get_console_settings() from public, anon;
grant execute on function public.get_console_settings() to authenticated;

create or replace function public.send_message(
  p_session_id uuid,
  p_type text,
  p_client_message_id uuid,
  p_body text default null,
  p_storage_path text default null,
  p_mime_type text default null,
  p_size_bytes bigint default null,
  p_duration_ms integer default null,
  p_waveform real[] default null,
  p_reply_to uuid default null
) returns public.chat_messages
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_caller record;
  v_session_role text;
  v_session_status text;
  v_msg public.chat_messages;
  s jsonb;
  v_status text := 'sent';
  v_body text := nullif(btrim(p_body), '');
  v_mime text := lower(btrim(p_mime_type));
  v_obj record;
  v_count bigint;
  v_limit bigint;
  v_max bigint;
begin
  select * into v_caller from private.require_caller();
  if p_client_message_id is null then
    perform private.raise('SA437', 'chat.client_message_id_required');
  end if;
  -- Serialises one user's sends: rate limits and idempotency hold under concurrent retries.
  perform pg_advisory_xact_lock(hashtextextended('samia.send_message:' || v_caller.uid::text, 0));

  select * into v_msg from public.chat_messages m
  where m.sender_id = v_caller.uid and m.client_message_id = p_client_message_id;
  if found then
    if v_msg.session_id <> p_session_id or v_msg.type <> p_type then
      perform private.raise('SA418', 'chat.client_message_id_reused',
        jsonb_build_object('client_message_id', p_client_message_id, 'message_id', v_msg.id));
    end if;
    return v_msg;
  end if;

  if p_type is null or p_type not in ('text', 'audio', 'image', 'file') then
    perform private.raise('SA420', 'chat.invalid_type', jsonb_build_object('type', p_type, 'allowed', jsonb_build_array('text', 'audio', 'image', 'file')));
  end if;

  select cp.role_in_session, cs.status into v_session_role, v_session_status
  from public.chat_participants cp join public.chat_sessions cs on cs.id = cp.session_id
  where cp.session_id = p_session_id and cp.user_id = v_caller.uid;
  if not found then
    perform private.raise('SA404', 'chat.session_not_found', jsonb_build_object('session_id', p_session_id));
  end if;
  if v_session_status <> 'active' then
    perform private.raise('SA410', 'chat.session_not_active', jsonb_build_object('session_id', p_session_id, 'status', v_session_status));
  end if;
  if exists (select 1 from public.chat_messages m where m.id = p_client_message_id) then
    perform private.raise('SA409', 'chat.client_message_id_conflict', jsonb_build_object('client_message_id', p_client_message_id));
  end if;

  s := private.console_settings();
  v_max := private.setting_int(s, 'console.message.max_body_length');
  if v_body is not null and length(v_body) > v_max then
    perform private.raise('SA422', 'chat.body_too_long', jsonb_build_object('length', length(v_body), 'max', v_max));
  end if;

  if p_type = 'text' then
    if v_body is null then
      perform private.raise('SA421', 'chat.body_required');
    end if;
    if p_storage_path is not null or p_mime_type is not null or p_size_bytes is not null
       or p_duration_ms is not null or p_waveform is not null then
      perform private.raise('SA424', 'chat.unexpected_attachment', jsonb_build_object('type', p_type));
    end if;
  else
    if p_storage_path is null then
      perform private.raise('SA423', 'chat.attachment_required', jsonb_build_object('type', p_type));
    end if;
    if v_mime is null or not (v_mime = any (string_to_array(s ->> ('console.' || p_type || '.mime_types'), ','))) then
      perform private.raise('SA415', 'chat.mime_not_allowed', jsonb_build_object('type', p_type, 'mime_type', p_mime_type,
        'allowed', to_jsonb(string_to_array(s ->> ('console.' || p_type || '.mime_types'), ','))));
    end if;
    v_max := private.setting_int(s, 'console.' || p_type || '.max_size_bytes');
    if p_size_bytes is null or p_size_bytes <= 0 then
      perform private.raise('SA436', 'chat.invalid_size', jsonb_build_object('size_bytes', p_size_bytes));
    end if;
    if p_size_bytes > v_max then
      perform private.raise('SA413', 'chat.file_too_large', jsonb_build_object('size_bytes', p_size_bytes, 'max', v_max));
    end if;
    if p_type = 'audio' then
      v_max := private.setting_int(s, 'console.audio.max_duration_ms');
      if p_duration_ms is null or p_duration_ms <= 0 then
        perform private.raise('SA428', 'chat.duration_required');
      end if;
      if p_duration_ms > v_max then
        perform private.raise('SA430', 'chat.duration_too_long', jsonb_build_object('duration_ms', p_duration_ms, 'max', v_max));
      end if;
      if p_waveform is not null then
        v_max := private.setting_int(s, 'console.audio.max_waveform_points');
        if array_ndims(p_waveform) <> 1 or cardinality(p_waveform) > v_max
           or exists (select 1 from unnest(p_waveform) w where w is null or w < 0 or w > 1 or w = 'NaN'::real) then
          perform private.raise('SA434', 'chat.invalid_waveform', jsonb_build_object('points', cardinality(p_waveform), 'max_points', v_max, 'range', jsonb_build_array(0, 1)));
        end if;
      end if;
    elsif p_duration_ms is not null or p_waveform is not null then
      perform private.raise('SA424', 'chat.unexpected_attachment', jsonb_build_object('type', p_type, 'field', 'duration_ms/waveform'));
    end if;
    -- {session_id}/{message_id}/{file_name}; the message id is the client_message_id, so the
    -- file can be uploaded (and retried) before the message exists.
    if p_storage_path is distinct from (p_session_id::text || '/' || p_client_message_id::text || '/' || storage.filename(p_storage_path))
       or storage.filename(p_storage_path) !~ '^[^/\\[:cntrl:]]{1,255}$'
       or storage.filename(p_storage_path) in ('.', '..') then
      perform private.raise('SA425', 'chat.invalid_storage_path', jsonb_build_object('storage_path', p_storage_path,
        'expected_prefix', p_session_id::text || '/' || p_client_message_id::text || '/'));
    end if;
    select o.owner, o.owner_id, o.metadata into v_obj
    from storage.objects o where o.bucket_id = 'chat-files' and o.name = p_storage_path;
    if not found then
      perform private.raise('SA426', 'chat.file_not_uploaded', jsonb_build_object('storage_path', p_storage_path));
    end if;
    if coalesce(v_obj.owner_id, v_obj.owner::text) is distinct from v_caller.uid::text then
      perform private.raise('SA438', 'chat.file_not_owned', jsonb_build_object('storage_path', p_storage_path));
    end if;
    if (v_obj.metadata ->> 'size') is not null and (v_obj.metadata ->> 'size')::bigint <> p_size_bytes
       or (v_obj.metadata ->> 'mimetype') is not null and lower(v_obj.metadata ->> 'mimetype') <> v_mime then
      perform private.raise('SA427', 'chat.file_metadata_mismatch', jsonb_build_object('storage_path', p_storage_path,
        'stored_size', v_obj.metadata ->> 'size', 'stored_mime_type', v_obj.metadata ->> 'mimetype'));
    end if;
  end if;

  if p_reply_to is not null and not exists (
       select 1 from public.chat_messages r
       where r.id = p_reply_to and r.session_id = p_session_id and private.can_see_message(r)
         -- a reply is seen by everyone in the session: it may not point at a note they cannot see
         and private.visible_to_others(r.status, r.type, r.reviewed_at)) then
    perform private.raise('SA435', 'chat.invalid_reply', jsonb_build_object('reply_to', p_reply_to));
  end if;

  -- O(1) whatever the limits or the history: one counter row per user and kind, per session.
  v_limit := private.setting_int(s, 'console.rate_limit.messages_per_minute');
  v_count := private.bump_counter('user_messages', v_caller.uid, date_trunc('minute', now()));
  if v_count > v_limit then
    perform private.raise('SA429', 'chat.rate_limited', jsonb_build_object('limit', v_limit, 'window_seconds', 60,
      'retry_after_seconds', ceil(extract(epoch from date_trunc('minute', now()) + interval '1 minute' - now()))));
  end if;
  if p_type = 'audio' then
    v_limit := private.setting_int(s, 'console.rate_limit.audio_per_minute');
    v_count := private.bump_counter('user_audio', v_caller.uid, date_trunc('minute', now()));
    if v_count > v_limit then
      perform private.raise('SA432', 'chat.audio_rate_limited', jsonb_build_object('limit', v_limit, 'window_seconds', 60,
        'retry_after_seconds', ceil(extract(epoch from date_trunc('minute', now()) + interval '1 minute' - now()))));
    end if;
  end if;
  v_limit := private.setting_int(s, 'console.quota.session_messages_per_day');
  v_count := private.bump_counter('session_messages', p_session_id, date_trunc('day', now(), 'UTC'));
  if v_count > v_limit then
    perform private.raise('SA433', 'chat.session_quota_exceeded', jsonb_build_object('limit', v_limit, 'window_seconds', 86400,
      'retry_after_seconds', ceil(extract(epoch from date_trunc('day', now(), 'UTC') + interval '1 day' - now()))));
  end if;

  if p_type = 'audio' and (v_caller.role = 'reader' or v_session_role = 'reader') then
    v_status := 'pending_approval';
  end if;

  insert into public.chat_messages (id, session_id, sender_id, type, body, storage_path, mime_type,
                                    size_bytes, duration_ms, waveform, reply_to, status, client_message_id)
  values (p_client_message_id, p_session_id, v_caller.uid, p_type, v_body, p_storage_path,
          case when p_type = 'text' then null else v_mime end,
          p_size_bytes, p_duration_ms, p_waveform, p_reply_to, v_status, p_client_message_id)
  returning * into v_msg;

  if v_status = 'sent' then
    update public.chat_sessions set last_message_at = v_msg.created_at
    where id = p_session_id and (last_message_at is null or last_message_at < v_msg.created_at);
  end if;
  return v_msg;
end
$$;

revoke all on function public.send_message(uuid, text, uuid, text, text, text, bigint, integer, real[], uuid) from public, anon;
grant execute on function public.send_message(uuid, text, uuid, text, text, text, bigint, integer, real[], uuid) to authenticated;
