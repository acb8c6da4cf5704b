-- Chat writes: the only way messages are created or changed. SECURITY DEFINER with search_path
-- pg_catalog, pg_temp (every name of the console is schema-qualified), executable by `authenticated`
-- only. Each refusal raises the stable error contract (private.raise). A message comes back as
-- public.chat_message_view; every one of these answers its sender (send, edit, delete) or a reviewer,
-- who may see the review fields, hence message_view(.., true).

-- Rate limits, as their settings say them: at most N actions in any rolling window (60 seconds, or 24
-- hours for the session quota), never "N per calendar minute" (which lets 2N through across a boundary).
-- Each subject (a user for one kind of action, or a session) keeps a counter of the actions it took and a
-- ring of the times of its last N: action n goes in slot n mod N, where it replaces action n - N, and is
-- allowed when that one is older than the window. A take is two writes by primary key, whatever the limit or
-- the history: the counter, and the slot, updated in place once the ring is full (no indexed column
-- changes, so both are heap-only updates in the pages' spare room: hence the fillfactor). Race-safe: the
-- counter row is locked by its update, so concurrent takers of one subject queue there and each sees the one
-- before it; an action's limits are taken in one call in a fixed order (a send: the user's, then the
-- session's), so two sends cannot deadlock. Times are clock_timestamp() taken under that lock, so they
-- increase with n. A refusal raises, so the transaction rolls back and the refused action counts nothing.
-- A ring is built for the limit it counts (ring_size). When the limit changes, the next take checks action
-- n - (new limit) and rebuilds the ring for the new size. That is exact both ways: lowering holds at once
-- (the last N are all in the ring); after raising, the actions the ring no longer holds are all outside the
-- window, since the newest one was allowed only because the one N before it was. A slot left empty by a
-- raise is written by an insert.
create table if not exists private.rate_limit_counters (
  scope text not null,
  subject uuid not null,
  taken bigint not null,
  ring_size bigint not null,
  primary key (scope, subject)
) with (fillfactor = 50);
create table if not exists private.rate_limit_actions (
  scope text not null,
  subject uuid not null,
  slot bigint not null,
  n bigint not null,
  at timestamptz not null,
  -- the time of the action this one replaced in its slot (null in a new slot): what the take checks
  replaced_at timestamptz,
  primary key (scope, subject, slot)
) with (fillfactor = 50);
revoke all on private.rate_limit_counters, private.rate_limit_actions from public;
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    execute 'revoke all on private.rate_limit_counters, private.rate_limit_actions from anon, authenticated, service_role';
  end if;
end
$$;

-- Takes one action of p_scopes[i] for p_subjects[i] under p_limits[i] in p_windows[i] seconds, for each i in
-- order, or refuses with the first refused one's p_codes[i] / p_keys[i] and {limit, window_seconds,
-- retry_after_seconds} (when the oldest of its last p_limits[i] actions leaves the window).
create or replace function private.take_rates(p_scopes text[], p_subjects uuid[], p_limits bigint[], p_windows integer[],
                                              p_codes text[], p_keys text[])
returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_scope text;
  v_subject uuid;
  v_limit bigint;
  v_n bigint;
  v_size bigint;
  v_at timestamptz;
  v_oldest timestamptz;
  v_ns bigint[];
  v_ats timestamptz[];
begin
  for i in 1 .. cardinality(p_scopes) loop
    v_scope := p_scopes[i];
    v_subject := p_subjects[i];
    v_limit := p_limits[i];
    v_oldest := null;
    update private.rate_limit_counters c set taken = c.taken + 1 where c.scope = v_scope and c.subject = v_subject
    returning c.taken, c.ring_size, clock_timestamp() into v_n, v_size, v_at;
    if not found then
      -- a first action, or a concurrent first one's row (the upsert then waits for it and counts after it)
      insert into private.rate_limit_counters as c (scope, subject, taken, ring_size) values (v_scope, v_subject, 1, v_limit)
      on conflict (scope, subject) do update set taken = c.taken + 1
      returning c.taken, c.ring_size, clock_timestamp() into v_n, v_size, v_at;
    end if;
    if v_size = v_limit then
      -- Slot n mod limit holds action n - limit, if it was ever taken and the ring still holds it (see above).
      if v_n > v_limit then
        update private.rate_limit_actions a set replaced_at = a.at, at = v_at, n = v_n
        where a.scope = v_scope and a.subject = v_subject and a.slot = v_n % v_limit
        returning a.replaced_at into v_oldest;
      end if;
      if v_oldest is null then
        insert into private.rate_limit_actions (scope, subject, slot, n, at) values (v_scope, v_subject, v_n % v_limit, v_n, v_at);
      end if;
    else
      -- The limit changed: action n - limit is in the ring if the limit was lowered, and outside the window (or
      -- none) if it was raised. The ring is rebuilt for the new limit with the last limit - 1 actions and this one.
      select a.at into v_oldest from private.rate_limit_actions a
      where a.scope = v_scope and a.subject = v_subject and a.n = v_n - v_limit;
      with gone as (
        delete from private.rate_limit_actions a where a.scope = v_scope and a.subject = v_subject
        returning a.n, a.at
      )
      select coalesce(array_agg(g.n), '{}'), coalesce(array_agg(g.at), '{}') into v_ns, v_ats
      from gone g where g.n > v_n - v_limit;
      insert into private.rate_limit_actions (scope, subject, slot, n, at)
      select v_scope, v_subject, k.n % v_limit, k.n, k.at from unnest(v_ns || v_n, v_ats || v_at) as k(n, at);
      update private.rate_limit_counters c set ring_size = v_limit where c.scope = v_scope and c.subject = v_subject;
    end if;
    if v_oldest > v_at - make_interval(secs => p_windows[i]) then
      perform private.raise(p_codes[i], p_keys[i], jsonb_build_object('limit', v_limit, 'window_seconds', p_windows[i],
        'retry_after_seconds', greatest(1, ceil(extract(epoch from v_oldest + make_interval(secs => p_windows[i]) - v_at)))));
    end if;
  end loop;
end
$$;
revoke all on function private.take_rates(text[], uuid[], bigint[], integer[], text[], text[]) from public;

-- One limit: take_rates for one subject.
create or replace function private.take_rate(p_scope text, p_subject uuid, p_limit bigint, p_window_seconds integer,
                                             p_code text, p_key text)
returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.take_rates(array[p_scope], array[p_subject], array[p_limit], array[p_window_seconds], array[p_code], array[p_key]);
end
$$;
revoke all on function private.take_rate(text, uuid, bigint, integer, text, text) from public;

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
) returns public.chat_message_view
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_session_role text;
  v_session_status text;
  v_msg public.chat_messages;
  s jsonb;
  v_status text := 'sent';
  v_body text := private.trim_text(p_body);
  v_mime text := lower(btrim(p_mime_type));
  v_obj record;
  v_max bigint;
  v_ints bigint[];
  v_id_taken boolean;
begin
  -- An assignment is evaluated as a simple expression; `select * into .. from` would start an executor for it.
  v_caller := private.require_caller();
  if p_client_message_id is null then
    perform private.raise('SA437', 'chat.client_message_id_required');
  end if;
  -- Serialises one user's sends: rate limits and idempotency hold under concurrent retries.
  perform pg_advisory_xact_lock(hashtextextended('samia.send_message:' || v_caller.uid::text, 0));

  -- One lookup by either key: the caller's message sent with this client_message_id (a retry, answered with
  -- that message), else any message whose id it is (refused further down, after the checks that come first).
  select * into v_msg from public.chat_messages m
  where (m.sender_id = v_caller.uid and m.client_message_id = p_client_message_id) or m.id = p_client_message_id
  order by m.sender_id is not distinct from v_caller.uid and m.client_message_id is not distinct from p_client_message_id desc
  limit 1;
  v_id_taken := found;
  if found and v_msg.sender_id is not distinct from v_caller.uid and v_msg.client_message_id is not distinct from p_client_message_id then
    if v_msg.session_id <> p_session_id or v_msg.type <> p_type then
      perform private.raise('SA418', 'chat.client_message_id_reused',
        jsonb_build_object('client_message_id', p_client_message_id, 'message_id', v_msg.id));
    end if;
    return private.message_view(v_msg, true);
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
  if v_id_taken then
    perform private.raise('SA409', 'chat.client_message_id_conflict', jsonb_build_object('client_message_id', p_client_message_id));
  end if;

  -- The settings every send reads, by key; an attachment reads the rest below.
  v_ints := private.setting_ints(array['console.message.max_body_length', 'console.rate_limit.messages_per_minute',
                                       'console.quota.session_messages_per_day']);
  v_max := v_ints[1];
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
    s := private.console_settings();
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
        -- An empty array has no dimensions at all (array_ndims is null): no peaks is not a waveform.
        if coalesce(array_ndims(p_waveform), 0) <> 1 or cardinality(p_waveform) < 1 or cardinality(p_waveform) > v_max
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

  -- The user's limits, then the session's quota, in one call.
  if p_type = 'audio' then
    perform private.take_rates(array['user_messages', 'user_audio', 'session_messages'], array[v_caller.uid, v_caller.uid, p_session_id],
      array[v_ints[2], private.setting_int(s, 'console.rate_limit.audio_per_minute'), v_ints[3]], array[60, 60, 86400],
      array['SA429', 'SA432', 'SA433'], array['chat.rate_limited', 'chat.audio_rate_limited', 'chat.session_quota_exceeded']);
  else
    perform private.take_rates(array['user_messages', 'session_messages'], array[v_caller.uid, p_session_id],
      array[v_ints[2], v_ints[3]], array[60, 86400], array['SA429', 'SA433'], array['chat.rate_limited', 'chat.session_quota_exceeded']);
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
  return private.message_view(v_msg, true);
end
$$;

-- Locks the caller's own message for a change, or refuses without revealing messages they
-- cannot see.
create or replace function private.lock_own_message(p_message_id uuid, p_uid uuid) returns public.chat_messages
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_msg public.chat_messages;
  s jsonb := private.console_settings();
  v_window bigint := private.setting_int(s, 'console.message.edit_window_seconds');
begin
  select * into v_msg from public.chat_messages m where m.id = p_message_id for update;
  if not found or (v_msg.sender_id is distinct from p_uid and not private.can_see_message(v_msg)) then
    perform private.raise('SA405', 'chat.message_not_found', jsonb_build_object('message_id', p_message_id));
  end if;
  if v_msg.sender_id is distinct from p_uid then
    perform private.raise('SA411', 'chat.not_sender', jsonb_build_object('message_id', p_message_id));
  end if;
  if v_msg.status = 'deleted' then
    perform private.raise('SA416', 'chat.message_deleted', jsonb_build_object('message_id', p_message_id));
  end if;
  if v_msg.reviewed_at is not null or v_msg.status in ('approved', 'rejected') then
    perform private.raise('SA414', 'chat.already_reviewed', jsonb_build_object('message_id', p_message_id, 'status', v_msg.status));
  end if;
  if v_msg.created_at < now() - make_interval(secs => v_window) then
    perform private.raise('SA412', 'chat.edit_window_passed', jsonb_build_object('message_id', p_message_id, 'window_seconds', v_window));
  end if;
  return v_msg;
end
$$;
revoke all on function private.lock_own_message(uuid, uuid) from public;

create or replace function public.edit_message(p_message_id uuid, p_body text) returns public.chat_message_view
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_msg public.chat_messages;
  v_body text := private.trim_text(p_body);
  s jsonb := private.console_settings();
  v_max bigint := private.setting_int(s, 'console.message.max_body_length');
begin
  select * into v_caller from private.require_caller();
  v_msg := private.lock_own_message(p_message_id, v_caller.uid);
  if v_msg.type <> 'text' then
    perform private.raise('SA417', 'chat.not_editable', jsonb_build_object('message_id', p_message_id, 'type', v_msg.type));
  end if;
  if v_body is null then
    perform private.raise('SA421', 'chat.body_required');
  end if;
  if length(v_body) > v_max then
    perform private.raise('SA422', 'chat.body_too_long', jsonb_build_object('length', length(v_body), 'max', v_max));
  end if;
  perform private.take_rate('user_edits', v_caller.uid, private.setting_int(s, 'console.rate_limit.edits_per_minute'), 60,
                            'SA431', 'chat.edit_rate_limited');
  update public.chat_messages set body = v_body, edited_at = now() where id = p_message_id returning * into v_msg;
  return private.message_view(v_msg, true);
end
$$;

create or replace function public.delete_message(p_message_id uuid) returns public.chat_message_view
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_msg public.chat_messages;
begin
  select * into v_caller from private.require_caller();
  v_msg := private.lock_own_message(p_message_id, v_caller.uid);
  perform private.take_rate('user_deletes', v_caller.uid,
                            private.setting_int(private.console_settings(), 'console.rate_limit.deletes_per_minute'), 60,
                            'SA439', 'chat.delete_rate_limited');
  -- The content goes; audit_log keeps the old values for staff.
  update public.chat_messages
     set status = 'deleted', body = null, storage_path = null, mime_type = null, size_bytes = null,
         duration_ms = null, waveform = null, edited_at = now()
   where id = p_message_id
  returning * into v_msg;
  return private.message_view(v_msg, true);
end
$$;

create or replace function public.mark_read(p_session_id uuid, p_read_at timestamptz default null)
returns timestamptz
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_at timestamptz;
begin
  select * into v_caller from private.require_caller();
  if not exists (select 1 from public.chat_participants cp where cp.session_id = p_session_id and cp.user_id = v_caller.uid) then
    perform private.raise('SA404', 'chat.session_not_found', jsonb_build_object('session_id', p_session_id));
  end if;
  perform private.take_rate('user_read_marks', v_caller.uid,
                            private.setting_int(private.console_settings(), 'console.rate_limit.read_marks_per_minute'), 60,
                            'SA408', 'chat.read_rate_limited');
  update public.chat_participants cp
     set last_read_at = greatest(coalesce(cp.last_read_at, '-infinity'), least(coalesce(p_read_at, now()), now()))
   where cp.session_id = p_session_id and cp.user_id = v_caller.uid
  returning cp.last_read_at into v_at;
  if not found then
    perform private.raise('SA404', 'chat.session_not_found', jsonb_build_object('session_id', p_session_id));
  end if;
  return v_at;
end
$$;

-- Unread counts for every session of the caller, in one query. A voice note approved after the
-- caller last read counts as new when it becomes visible (reviewed_at), not when it was recorded.
-- Internal notes are not conversation: they count for nobody (a mention notifies instead).
create or replace function public.unread_counts()
returns table (session_id uuid, unread_count bigint, last_read_at timestamptz, last_message_at timestamptz)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select cp.session_id,
         (select count(*)
            from public.chat_messages m
           where m.session_id = cp.session_id
             and m.sender_id is distinct from cp.user_id
             and m.type <> 'note'
             and (m.status in ('sent', 'approved') or (m.status = 'pending_approval' and private.is_staff()))
             and (m.created_at > coalesce(cp.last_read_at, '-infinity')
                  or (m.status = 'approved' and m.reviewed_at > coalesce(cp.last_read_at, '-infinity')))),
         cp.last_read_at,
         cs.last_message_at
    from public.chat_participants cp
    join public.chat_sessions cs on cs.id = cp.session_id
   where cp.user_id = auth.uid()
$$;

create or replace function public.review_audio(p_message_id uuid, p_decision text, p_reason text default null)
returns public.chat_message_view
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_msg public.chat_messages;
  v_reason text := private.trim_text(p_reason);
begin
  select * into v_caller from private.require_caller();
  if v_caller.role not in ('monitor', 'admin', 'super_admin') then
    perform private.raise('SA440', 'review.forbidden', jsonb_build_object('role', v_caller.role));
  end if;
  perform private.check_text_length('p_reason', v_reason,
    private.setting_int(private.console_settings(), 'console.message.max_note_length'));
  if p_decision is null or p_decision not in ('approve', 'reject') then
    perform private.raise('SA441', 'review.invalid_decision', jsonb_build_object('decision', p_decision, 'allowed', jsonb_build_array('approve', 'reject')));
  end if;
  if p_decision = 'reject' and v_reason is null then
    perform private.raise('SA442', 'review.reason_required');
  end if;
  -- First decision wins: a concurrent second reviewer blocks on the row, then re-checks the
  -- status and updates nothing. Four eyes: never one's own note, whatever one's role is now (a reader
  -- promoted to monitor included); the chat_messages_four_eyes trigger holds it for every writer.
  update public.chat_messages
     set status = case p_decision when 'approve' then 'approved' else 'rejected' end,
         reviewed_by = v_caller.uid, reviewed_at = now(), review_reason = v_reason
   where id = p_message_id and type = 'audio' and status = 'pending_approval'
     and sender_id is distinct from v_caller.uid
  returning * into v_msg;
  if found then
    if v_msg.status = 'approved' then
      update public.chat_sessions set last_message_at = v_msg.reviewed_at
      where id = v_msg.session_id and (last_message_at is null or last_message_at < v_msg.reviewed_at);
    end if;
    return private.message_view(v_msg, true);
  end if;
  select * into v_msg from public.chat_messages m where m.id = p_message_id;
  if not found or v_msg.type <> 'audio' then
    perform private.raise('SA405', 'chat.message_not_found', jsonb_build_object('message_id', p_message_id));
  end if;
  if v_msg.sender_id = v_caller.uid then
    perform private.raise('SA447', 'review.own_message', jsonb_build_object('message_id', p_message_id));
  end if;
  if v_msg.status in ('approved', 'rejected') then
    perform private.raise('SA443', 'review.already_decided', jsonb_build_object('message_id', p_message_id,
      'status', v_msg.status, 'reviewed_by', v_msg.reviewed_by, 'reviewed_at', v_msg.reviewed_at));
  end if;
  perform private.raise('SA444', 'review.not_reviewable', jsonb_build_object('message_id', p_message_id, 'status', v_msg.status));
  return null;
end
$$;

revoke all on function public.send_message(uuid, text, uuid, text, text, text, bigint, integer, real[], uuid) from public, anon;
revoke all on function public.edit_message(uuid, text) from public, anon;
revoke all on function public.delete_message(uuid) from public, anon;
revoke all on function public.mark_read(uuid, timestamptz) from public, anon;
revoke all on function public.unread_counts() from public, anon;
revoke all on function public.review_audio(uuid, text, text) from public, anon;
grant execute on function public.send_message(uuid, text, uuid, text, text, text, bigint, integer, real[], uuid) to authenticated;
grant execute on function public.edit_message(uuid, text) to authenticated;
grant execute on function public.delete_message(uuid) to authenticated;
grant execute on function public.mark_read(uuid, timestamptz) to authenticated;
grant execute on function public.unread_counts() to authenticated;
grant execute on function public.review_audio(uuid, text, text) to authenticated;
