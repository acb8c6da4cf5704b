-- LOCAL DEVELOPMENT ONLY. Never run against a production or shared database.
-- A few accounts, one per role, and a booking-less support session between the client and the
-- reader, so a freshly reset local stack has something to sign in with. The accounts have no
-- password here: set one with the local auth tooling (Supabase Studio / the embedded backend's
-- account creation) before signing in.
insert into auth.users (id, email, aud, role, created_at, updated_at)
values
  ('11111111-1111-4111-8111-111111111101', 'client@samia.local', 'authenticated', 'authenticated', now(), now()),
  ('11111111-1111-4111-8111-111111111102', 'reader@samia.local', 'authenticated', 'authenticated', now(), now()),
  ('11111111-1111-4111-8111-111111111103', 'monitor@samia.local', 'authenticated', 'authenticated', now(), now()),
  ('11111111-1111-4111-8111-111111111104', 'admin@samia.local', 'authenticated', 'authenticated', now(), now()),
  ('11111111-1111-4111-8111-111111111105', 'superadmin@samia.local', 'authenticated', 'authenticated', now(), now())
on conflict (id) do nothing;

insert into public.profiles (id, display_name, role, preferred_language, emergency_opt_in, availability)
values
  ('11111111-1111-4111-8111-111111111101', 'Local Client', 'client', 'en', false, 'offline'),
  ('11111111-1111-4111-8111-111111111102', 'Local Reader', 'reader', 'ar', true, 'online'),
  ('11111111-1111-4111-8111-111111111103', 'Local Monitor', 'monitor', 'en', false, 'online'),
  ('11111111-1111-4111-8111-111111111104', 'Local Admin', 'admin', 'en', false, 'offline'),
  ('11111111-1111-4111-8111-111111111105', 'Local Super Admin', 'super_admin', 'en', false, 'offline')
-- The handle_new_user trigger has already made a client profile for each account: set the seed's own.
on conflict (id) do update
  set display_name = excluded.display_name, role = excluded.role, preferred_language = excluded.preferred_language,
      emergency_opt_in = excluded.emergency_opt_in, availability = excluded.availability;

insert into public.chat_sessions (id, type, status, created_by)
values ('22222222-2222-4222-8222-222222222201', 'support', 'active', '11111111-1111-4111-8111-111111111103')
on conflict (id) do nothing;

insert into public.chat_participants (session_id, user_id, role_in_session)
values
  ('22222222-2222-4222-8222-222222222201', '11111111-1111-4111-8111-111111111101', 'client'),
  ('22222222-2222-4222-8222-222222222201', '11111111-1111-4111-8111-111111111102', 'reader')
on conflict do nothing;
