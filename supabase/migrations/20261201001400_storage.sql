-- Storage: one private bucket, chat-files, path {session_id}/{message_id}/{file_name}. Downloads
-- only through signed URLs or the authenticated API; these policies decide who may read a file:
-- the uploader, staff, and participants who may see the message that owns it (so the file of a
-- pending or rejected voice note stays hidden from the client, like the row).
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('chat-files', 'chat-files', false, 52428800,
        array['audio/webm', 'audio/ogg', 'audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/wav',
              'image/jpeg', 'image/png', 'image/webp', 'image/gif', 'application/pdf', 'text/plain'])
on conflict (id) do update
  set public = false, file_size_limit = excluded.file_size_limit, allowed_mime_types = excluded.allowed_mime_types;

create or replace function private.can_read_chat_object(p_name text) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select exists (
    select 1 from public.chat_messages m
    where m.id = private.uuid_or_null(split_part(p_name, '/', 2))
      and m.session_id = private.uuid_or_null(split_part(p_name, '/', 1))
      and m.storage_path = p_name
      and private.can_see_message(m))
$$;

-- An upload goes to {a session the caller may post in}/{a message id not used by anyone}/{name}.
create or replace function private.can_upload_chat_object(p_name text) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select p_name ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/[^/]+$'
     and exists (
       select 1 from public.chat_participants cp join public.chat_sessions s on s.id = cp.session_id
       where cp.session_id = private.uuid_or_null(split_part(p_name, '/', 1))
         and cp.user_id = auth.uid() and s.status = 'active')
     and not exists (
       select 1 from public.chat_messages m where m.id = private.uuid_or_null(split_part(p_name, '/', 2)))
$$;

-- The uploader may remove a file no message uses (an abandoned upload).
create or replace function private.is_unused_chat_object(p_name text) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select not exists (select 1 from public.chat_messages m where m.storage_path = p_name)
$$;

revoke all on function private.can_read_chat_object(text) from public;
revoke all on function private.can_upload_chat_object(text) from public;
revoke all on function private.is_unused_chat_object(text) from public;
-- The storage policies below apply to `authenticated` only; anon reaches none of them.
grant execute on function private.can_read_chat_object(text) to authenticated;
grant execute on function private.can_upload_chat_object(text) to authenticated;
grant execute on function private.is_unused_chat_object(text) to authenticated;

drop policy if exists chat_files_select on storage.objects;
create policy chat_files_select on storage.objects
  for select to authenticated
  using (bucket_id = 'chat-files'
         and (coalesce(owner_id, owner::text) = (select auth.uid())::text
              or private.can_read_chat_object(name)));

drop policy if exists chat_files_insert on storage.objects;
create policy chat_files_insert on storage.objects
  for insert to authenticated
  with check (bucket_id = 'chat-files'
              and coalesce(owner_id, owner::text) = (select auth.uid())::text
              and private.can_upload_chat_object(name));

drop policy if exists chat_files_delete on storage.objects;
create policy chat_files_delete on storage.objects
  for delete to authenticated
  using (bucket_id = 'chat-files'
         and coalesce(owner_id, owner::text) = (select auth.uid())::text
         and private.is_unused_chat_object(name));
-- No UPDATE policy: a file that may back a message is never replaced in place.
