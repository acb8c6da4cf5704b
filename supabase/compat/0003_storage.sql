-- Compatibility layer: the tables and helpers of Supabase Storage (columns as on the live project).
-- On Supabase the Storage API enforces bucket limits; here a trigger does, so the embedded backend
-- refuses what Supabase would refuse.
create schema if not exists storage;
grant usage on schema storage to anon, authenticated, service_role;

create table if not exists storage.buckets (
  id text not null primary key,
  name text not null,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  public boolean default false,
  avif_autodetection boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  owner_id text
);
create unique index if not exists bname on storage.buckets (name);

create table if not exists storage.objects (
  id uuid not null default gen_random_uuid() primary key,
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  owner_id text,
  user_metadata jsonb
);
create unique index if not exists bucketid_objname on storage.objects (bucket_id, name);
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;
-- Row privileges only: TRUNCATE would empty the tables past every policy, REFERENCES and TRIGGER would
-- let an API role attach its own code to them. (Re-applied files start again from nothing.)
revoke all on storage.buckets, storage.objects from public, anon, authenticated, service_role;
grant select, insert, update, delete on storage.buckets, storage.objects to anon, authenticated, service_role;

create or replace function storage.foldername(name text) returns text[]
language sql immutable
as $$
  select (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1]
$$;

create or replace function storage.filename(name text) returns text
language sql immutable
as $$
  select (string_to_array(name, '/'))[array_length(string_to_array(name, '/'), 1)]
$$;

create or replace function storage.extension(name text) returns text
language sql immutable
as $$
  select (string_to_array(storage.filename(name), '.'))[array_length(string_to_array(storage.filename(name), '.'), 1)]
$$;

grant execute on function storage.foldername(text), storage.filename(text), storage.extension(text)
  to anon, authenticated, service_role;

create or replace function storage.enforce_bucket_limits() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  b storage.buckets;
  v_size bigint := nullif(new.metadata ->> 'size', '')::bigint;
  v_mime text := lower(nullif(new.metadata ->> 'mimetype', ''));
begin
  select * into b from storage.buckets where id = new.bucket_id;
  if not found then
    raise exception using errcode = 'SA495', message = 'storage.bucket_not_found',
      detail = jsonb_build_object('bucket', new.bucket_id)::text;
  end if;
  if b.file_size_limit is not null and v_size is not null and v_size > b.file_size_limit then
    raise exception using errcode = 'SA496', message = 'storage.file_too_large',
      detail = jsonb_build_object('size', v_size, 'limit', b.file_size_limit)::text;
  end if;
  if b.allowed_mime_types is not null and (v_mime is null or not (v_mime = any (b.allowed_mime_types))) then
    raise exception using errcode = 'SA497', message = 'storage.mime_not_allowed',
      detail = jsonb_build_object('mime_type', v_mime, 'allowed', to_jsonb(b.allowed_mime_types))::text;
  end if;
  return new;
end
$$;

revoke all on function storage.enforce_bucket_limits() from public;

drop trigger if exists enforce_bucket_limits on storage.objects;
create trigger enforce_bucket_limits before insert or update on storage.objects
  for each row execute function storage.enforce_bucket_limits();
