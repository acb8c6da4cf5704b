-- Moderation flags are staff business: a client must not learn that, or why, a message was flagged.
-- 1. Column privileges: `authenticated` reads every chat_messages column but the flag columns.
--    (A table-wide SELECT grant would cover new columns too, so the grant lists the columns it gives.)
-- 2. Staff read flags through public.message_flags().
-- 3. Realtime: user topics carry messages without the flag columns; a change to flags alone is not sent
--    to participants at all.
revoke select on public.chat_messages from authenticated;
grant select (id, session_id, sender_id, type, body, storage_path, mime_type, size_bytes, duration_ms, waveform,
              reply_to, status, reviewed_by, reviewed_at, review_reason, client_message_id, created_at, edited_at)
  on public.chat_messages to authenticated;

create or replace function public.message_flags(p_message_ids uuid[])
returns table (message_id uuid, flagged boolean, flagged_reason text, flagged_by uuid, flagged_at timestamptz)
language plpgsql stable security definer set search_path = ''
as $$
begin
  perform private.require_caller();
  if not private.is_staff() then
    perform private.raise('SA445', 'moderation.forbidden', jsonb_build_object('reason', 'staff only'));
  end if;
  return query
    select m.id, m.flagged, m.flagged_reason, m.flagged_by, m.flagged_at
    from public.chat_messages m
    where m.id = any (p_message_ids) and m.flagged;
end
$$;
revoke all on function public.message_flags(uuid[]) from public, anon;
grant execute on function public.message_flags(uuid[]) to authenticated;

-- The message as participants may see it: the row without its moderation columns.
create or replace function private.participant_view(p_row public.chat_messages) returns jsonb
language sql immutable set search_path = ''
as $$
  select to_jsonb(p_row) - 'flagged' - 'flagged_reason' - 'flagged_by' - 'flagged_at'
$$;
revoke all on function private.participant_view(public.chat_messages) from public;

create or replace function private.broadcast_chat_message() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  p record;
  v_visible boolean := private.visible_to_others(new.status, new.type, new.reviewed_at);
  v_old_visible boolean := tg_op = 'UPDATE' and private.visible_to_others(old.status, old.type, old.reviewed_at);
  v_privileged boolean;
  v_new jsonb := private.participant_view(new);
  v_old jsonb := case when tg_op = 'UPDATE' then private.participant_view(old) end;
begin
  -- Only the flags changed: nothing a participant may see did.
  if tg_op = 'UPDATE' and v_new = v_old then
    return null;
  end if;
  for p in
    select cp.user_id, coalesce(pr.role, 'client') as role
    from public.chat_participants cp left join public.profiles pr on pr.id = cp.user_id
    where cp.session_id = new.session_id
  loop
    v_privileged := p.user_id = new.sender_id or p.role in ('monitor', 'admin', 'super_admin');
    if v_visible or v_privileged then
      -- Same shape as realtime.broadcast_changes. An approval reaches the client as an update whose previous
      -- state it never saw: the old record is omitted.
      perform realtime.send(
        jsonb_build_object('record', v_new,
                           'old_record', case when v_privileged or v_old_visible then v_old else null end,
                           'operation', tg_op, 'table', tg_table_name, 'schema', tg_table_schema),
        'chat_message', 'user:' || p.user_id::text, true);
    end if;
  end loop;
  if new.status = 'pending_approval' or (tg_op = 'UPDATE' and old.status = 'pending_approval') then
    perform realtime.send(
      jsonb_build_object('record', v_new, 'old_record', v_old, 'operation', tg_op, 'table', tg_table_name, 'schema', tg_table_schema),
      'chat_message', 'staff:approvals', true);
  end if;
  return null;
end
$$;
