-- Compatibility layer: Supabase Realtime's broadcast-from-database surface.
-- realtime.messages has the live project's columns. Every inserted row is announced with
-- pg_notify('realtime', {"id","topic"}) once its transaction commits, so the embedded backend can
-- re-read the row under each subscriber's claims (RLS on realtime.messages decides who gets it).
create schema if not exists realtime;
grant usage on schema realtime to anon, authenticated, service_role;

create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp without time zone not null default now(),
  inserted_at timestamp without time zone not null default now(),
  id uuid not null default gen_random_uuid(),
  primary key (id, inserted_at)
);
create index if not exists messages_inserted_at_topic_index on realtime.messages (inserted_at desc, topic);

alter table realtime.messages enable row level security;
revoke all on realtime.messages from public, anon, authenticated, service_role;
grant select, insert, update on realtime.messages to anon, authenticated;
grant select, insert, update, delete on realtime.messages to service_role;

-- The channel being authorised, as Supabase Realtime sets it before it checks RLS.
create or replace function realtime.topic() returns text
language sql stable
as $$
  select nullif(current_setting('realtime.topic', true), '')::pg_catalog.text
$$;
grant execute on function realtime.topic() to anon, authenticated, service_role;

-- The plpgsql functions pin their search_path: they run inside the migrations' SECURITY DEFINER triggers.
create or replace function realtime.notify_message() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  perform pg_notify('realtime', json_build_object('id', new.id, 'topic', new.topic)::text);
  return null;
end
$$;

revoke all on function realtime.notify_message() from public;

drop trigger if exists notify_message on realtime.messages;
create trigger notify_message after insert on realtime.messages
  for each row execute function realtime.notify_message();

-- Same signature and failure behaviour as Supabase: a broadcast that cannot be written only warns,
-- it never aborts the business transaction that produced it.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  begin
    insert into realtime.messages (payload, event, topic, private, extension)
    values (payload, event, topic, private, 'broadcast');
  exception when others then
    raise warning 'ErrorSendingBroadcastMessage: %', sqlerrm;
  end;
end
$$;

create or replace function realtime.broadcast_changes(
  topic_name text, event_name text, operation text, table_name text, table_schema text,
  new record, old record, level text default 'ROW'
) returns void
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  row_data jsonb := '{}'::jsonb;
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if operation = 'INSERT' or operation = 'UPDATE' or operation = 'DELETE' then
    row_data := jsonb_build_object('old_record', old, 'record', new, 'operation', operation,
                                   'table', table_name, 'schema', table_schema);
    perform realtime.send(row_data, event_name, topic_name, true);
  else
    raise exception 'Unexpected operation type: %', operation;
  end if;
end
$$;

revoke all on function realtime.send(jsonb, text, text, boolean) from public;
revoke all on function realtime.broadcast_changes(text, text, text, text, text, record, record, text) from public;
grant execute on function realtime.send(jsonb, text, text, boolean) to service_role;
grant execute on function realtime.broadcast_changes(text, text, text, text, text, record, record, text) to service_role;
