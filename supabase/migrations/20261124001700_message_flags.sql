-- Moderation flags on messages: the live platform's public.messages had them (flagged,
-- flagged_reason) and the consolidation carries them over, so the unified model keeps them as
-- columns. Only staff set or clear a flag, through flag_message / unflag_message; API roles keep
-- SELECT only on chat_messages (granted in ..._chat.sql), so nobody writes these columns directly.
-- Row visibility is the existing RLS: a client sees a flag only on a row it may see anyway.
alter table public.chat_messages add column if not exists flagged boolean not null default false;
alter table public.chat_messages add column if not exists flagged_reason text;
alter table public.chat_messages add column if not exists flagged_by uuid references public.profiles (id);
alter table public.chat_messages add column if not exists flagged_at timestamptz;

do $$
begin
  if not exists (select 1 from pg_constraint where conname = 'chat_messages_flag_reason_check'
                 and conrelid = 'public.chat_messages'::regclass) then
    -- A flag nobody can explain cannot be reviewed by the next moderator.
    alter table public.chat_messages add constraint chat_messages_flag_reason_check
      check (not flagged or coalesce(btrim(flagged_reason), '') <> '');
  end if;
end
$$;

-- The moderation queue: few rows are flagged, so the index holds only those.
create index if not exists chat_messages_flagged_idx on public.chat_messages (flagged_at desc, id)
  where flagged;
create index if not exists chat_messages_flagged_by_idx on public.chat_messages (flagged_by)
  where flagged_by is not null;

-- Audit: flag changes are recorded like status changes (action 'flag' / 'unflag').
create or replace function private.audit_row() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row_id text;
  v_action text := lower(tg_op);
begin
  if tg_table_name = 'app_settings' then
    v_row_id := coalesce(new.key, old.key);
    if v_row_id not like 'console.%' then
      return null;
    end if;
  else
    v_row_id := coalesce(to_jsonb(new) ->> 'id', to_jsonb(old) ->> 'id');
  end if;
  if tg_table_name = 'chat_messages' and tg_op = 'UPDATE' then
    v_action := case
      when new.status is distinct from old.status then 'status:' || new.status
      when new.flagged is distinct from old.flagged or new.flagged_reason is distinct from old.flagged_reason
        then case when new.flagged then 'flag' else 'unflag' end
      else 'edit' end;
  elsif tg_table_name = 'emergency_calls' and tg_op = 'UPDATE' then
    v_action := 'state:' || new.state;
  elsif tg_table_name = 'profiles' then
    v_action := 'role_change';
  end if;
  insert into public.audit_log (table_name, row_id, action, actor_id, old_values, new_values)
  values (tg_table_name, v_row_id, v_action, auth.uid(),
          case when tg_op = 'INSERT' then null else to_jsonb(old) end,
          case when tg_op = 'DELETE' then null else to_jsonb(new) end);
  return null;
end
$$;

create or replace trigger chat_messages_audit after update on public.chat_messages
  for each row
  when (old.status is distinct from new.status or old.body is distinct from new.body
        or old.reviewed_at is distinct from new.reviewed_at
        or old.flagged is distinct from new.flagged or old.flagged_reason is distinct from new.flagged_reason)
  execute function private.audit_row();

-- Flags a message (any status: a deleted message may still need a moderator's note). Flagging
-- again with the same reason changes nothing (a retried request is not a second event); with a
-- new reason it records the new reason, flagger and time.
create or replace function public.flag_message(p_message_id uuid, p_reason text)
returns public.chat_messages
language plpgsql security definer set search_path = ''
as $$
declare
  v_caller record;
  v_msg public.chat_messages;
  v_reason text := nullif(btrim(p_reason), '');
begin
  select * into v_caller from private.require_caller();
  if v_caller.role not in ('monitor', 'admin', 'super_admin') then
    perform private.raise('SA445', 'moderation.forbidden', jsonb_build_object('role', v_caller.role));
  end if;
  if v_reason is null then
    perform private.raise('SA446', 'moderation.reason_required', jsonb_build_object('message_id', p_message_id));
  end if;
  select * into v_msg from public.chat_messages m where m.id = p_message_id for update;
  if not found then
    perform private.raise('SA405', 'chat.message_not_found', jsonb_build_object('message_id', p_message_id));
  end if;
  if v_msg.flagged and v_msg.flagged_reason = v_reason then
    return v_msg;
  end if;
  update public.chat_messages
     set flagged = true, flagged_reason = v_reason, flagged_by = v_caller.uid, flagged_at = now()
   where id = p_message_id
  returning * into v_msg;
  return v_msg;
end
$$;

-- Clears a flag; clearing one that is not set changes nothing. Who flagged it and why stays in
-- audit_log (old_values of the 'unflag' row).
create or replace function public.unflag_message(p_message_id uuid)
returns public.chat_messages
language plpgsql security definer set search_path = ''
as $$
declare
  v_caller record;
  v_msg public.chat_messages;
begin
  select * into v_caller from private.require_caller();
  if v_caller.role not in ('monitor', 'admin', 'super_admin') then
    perform private.raise('SA445', 'moderation.forbidden', jsonb_build_object('role', v_caller.role));
  end if;
  select * into v_msg from public.chat_messages m where m.id = p_message_id for update;
  if not found then
    perform private.raise('SA405', 'chat.message_not_found', jsonb_build_object('message_id', p_message_id));
  end if;
  if not v_msg.flagged then
    return v_msg;
  end if;
  update public.chat_messages
     set flagged = false, flagged_reason = null, flagged_by = null, flagged_at = null
   where id = p_message_id
  returning * into v_msg;
  return v_msg;
end
$$;

revoke all on function public.flag_message(uuid, text) from public, anon;
revoke all on function public.unflag_message(uuid) from public, anon;
grant execute on function public.flag_message(uuid, text) to authenticated;
grant execute on function public.unflag_message(uuid) to authenticated;
