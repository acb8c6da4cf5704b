-- Moderation flags: only staff set, clear or read them. Nobody writes the flag columns directly (the
-- API roles hold SELECT only on chat_messages, and not on these columns: ..._chat.sql); a client must
-- not learn that, or why, a message was flagged. Every change is audited (action 'flag' / 'unflag').
-- flag_message, unflag_message and message_flags answer in one shape, the flag state of a message
-- (no message row: nothing participants see changes when a flag does).

-- Flags a message (any status: a deleted message may still need a moderator's note). Flagging
-- again with the same reason changes nothing (a retried request is not a second event); with a
-- new reason it records the new reason, flagger and time.
create or replace function public.flag_message(p_message_id uuid, p_reason text)
returns table (message_id uuid, flagged boolean, flagged_reason text, flagged_by uuid, flagged_at timestamptz)
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_msg public.chat_messages;
  v_reason text := private.trim_text(p_reason);
begin
  select * into v_caller from private.require_caller();
  if v_caller.role not in ('monitor', 'admin', 'super_admin') then
    perform private.raise('SA445', 'moderation.forbidden', jsonb_build_object('role', v_caller.role));
  end if;
  if v_reason is null then
    perform private.raise('SA446', 'moderation.reason_required', jsonb_build_object('message_id', p_message_id));
  end if;
  perform private.check_text_length('p_reason', v_reason,
    private.setting_int(private.console_settings(), 'console.message.max_note_length'));
  select * into v_msg from public.chat_messages m where m.id = p_message_id for update;
  if not found then
    perform private.raise('SA405', 'chat.message_not_found', jsonb_build_object('message_id', p_message_id));
  end if;
  if v_msg.flagged and v_msg.flagged_reason = v_reason then
    return query select v_msg.id, v_msg.flagged, v_msg.flagged_reason, v_msg.flagged_by, v_msg.flagged_at;
    return;
  end if;
  update public.chat_messages
     set flagged = true, flagged_reason = v_reason, flagged_by = v_caller.uid, flagged_at = now()
   where id = p_message_id
  returning * into v_msg;
  return query select v_msg.id, v_msg.flagged, v_msg.flagged_reason, v_msg.flagged_by, v_msg.flagged_at;
end
$$;

-- Clears a flag; clearing one that is not set changes nothing. Who flagged it and why stays in
-- audit_log (old_values of the 'unflag' row).
create or replace function public.unflag_message(p_message_id uuid)
returns table (message_id uuid, flagged boolean, flagged_reason text, flagged_by uuid, flagged_at timestamptz)
language plpgsql security definer set search_path = pg_catalog, pg_temp
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
    return query select v_msg.id, v_msg.flagged, v_msg.flagged_reason, v_msg.flagged_by, v_msg.flagged_at;
    return;
  end if;
  update public.chat_messages
     set flagged = false, flagged_reason = null, flagged_by = null, flagged_at = null
   where id = p_message_id
  returning * into v_msg;
  return query select v_msg.id, v_msg.flagged, v_msg.flagged_reason, v_msg.flagged_by, v_msg.flagged_at;
end
$$;

revoke all on function public.flag_message(uuid, text) from public, anon;
revoke all on function public.unflag_message(uuid) from public, anon;
grant execute on function public.flag_message(uuid, text) to authenticated;
grant execute on function public.unflag_message(uuid) to authenticated;

-- Staff read flags for the messages they have on screen (a page: at most 1000 ids, as any other page).
create or replace function public.message_flags(p_message_ids uuid[])
returns table (message_id uuid, flagged boolean, flagged_reason text, flagged_by uuid, flagged_at timestamptz)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_caller();
  if not private.is_staff() then
    perform private.raise('SA445', 'moderation.forbidden', jsonb_build_object('reason', 'staff only'));
  end if;
  if p_message_ids is null or coalesce(array_ndims(p_message_ids), 1) <> 1 or cardinality(p_message_ids) > 1000 then
    perform private.raise('SA400', 'request.invalid_argument', jsonb_build_object('argument', 'p_message_ids',
      'value', cardinality(p_message_ids), 'min', 0, 'max', 1000));
  end if;
  return query
    select m.id, m.flagged, m.flagged_reason, m.flagged_by, m.flagged_at
    from public.chat_messages m
    where m.id = any (p_message_ids) and m.flagged;
end
$$;
revoke all on function public.message_flags(uuid[]) from public, anon;
grant execute on function public.message_flags(uuid[]) to authenticated;
