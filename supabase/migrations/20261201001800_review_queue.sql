-- The review queue for a busy day: claims, bulk approval and the list of rejection reasons.
--
-- A claim is a soft lock with an expiry: a reviewer who opens a pending voice note claims it, so that
-- two reviewers never listen to the same note. Other reviewers see "being reviewed by <name>" live
-- (staff:approvals) and cannot decide it while the claim lasts; a super admin's decision is never
-- blocked. A claim ends with the decision (or the sender's deletion), when its holder moves to another
-- note or leaves (release_review), or by itself at expires_at (an expired claim counts as none; the next
-- claim replaces it). The rule is a trigger on chat_messages, so it holds for every decision path
-- (review_audio, reject_audio, bulk_approve, a review pack synced from the outbox). The first decision
-- still wins: review_audio's conditional update and its refusals (SA443, SA447) are unchanged.
--
-- Rejection reasons are a bilingual list admins manage; a rejection names one of them, a free text, or
-- both. The sender reads the reason in their own language (review_reason); which reason it was is kept
-- in review_rejections for the figures.

insert into private.setting_definitions (key, kind, min_value, max_value, default_value, description) values
  ('console.review.claim_seconds', 'int', 15, 3600, '120', 'how long a reviewer''s claim on a voice note lasts unless renewed'),
  ('console.review.bulk_max', 'int', 1, 500, '100', 'voice notes one bulk approval may name')
on conflict (key) do update set kind = excluded.kind, min_value = excluded.min_value, max_value = excluded.max_value,
  default_value = excluded.default_value, description = excluded.description;

-- Claims: read and written only by the RPCs below (SECURITY DEFINER); no API role touches the table.
create table if not exists public.review_claims (
  message_id uuid primary key references public.chat_messages (id) on delete cascade,
  claimed_by uuid not null references public.profiles (id) on delete cascade,
  claimed_at timestamptz not null default now(),
  expires_at timestamptz not null,
  check (expires_at > claimed_at)
);
create index if not exists review_claims_claimed_by_idx on public.review_claims (claimed_by);
revoke all on public.review_claims from public, anon, authenticated, service_role;
grant select, insert, update, delete on public.review_claims to service_role;
alter table public.review_claims enable row level security;

-- The claim as reviewers see it: who holds it (by name) and until when. This helper and the next three
-- are for the SECURITY DEFINER code below only (they run with its rights); no API role may call them.
create or replace function private.claim_json(p_claim public.review_claims) returns jsonb
language sql stable set search_path = pg_catalog, pg_temp
as $$
  select jsonb_build_object('message_id', p_claim.message_id, 'claimed_by', p_claim.claimed_by,
                            'claimed_by_name', (select p.display_name from public.profiles p where p.id = p_claim.claimed_by),
                            'claimed_at', p_claim.claimed_at, 'expires_at', p_claim.expires_at)
$$;
revoke all on function private.claim_json(public.review_claims) from public;

create or replace function private.raise_claimed(p_claim public.review_claims) returns void
language plpgsql stable set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.raise('SA510', 'review.claimed', private.claim_json(p_claim));
end
$$;
revoke all on function private.raise_claimed(public.review_claims) from public;

-- Every decision on a pending note: refused while someone else holds a live claim on it, unless the
-- decider is a super admin; any claim on it ends with the change (decision or deletion). An operator's
-- write without a reviewer (the consolidation) is not a reviewer's decision and is not checked.
create or replace function private.guard_review_claim() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_claim public.review_claims;
begin
  select * into v_claim from public.review_claims c where c.message_id = new.id;
  if not found then
    return new;
  end if;
  if new.status in ('approved', 'rejected') and new.reviewed_by is not null
     and v_claim.claimed_by <> new.reviewed_by and v_claim.expires_at > now()
     and not exists (select 1 from public.profiles p where p.id = new.reviewed_by and p.role = 'super_admin') then
    perform private.raise_claimed(v_claim);
  end if;
  delete from public.review_claims c where c.message_id = new.id;
  return new;
end
$$;
revoke all on function private.guard_review_claim() from public;
create or replace trigger chat_messages_review_claim before update of status on public.chat_messages
  for each row
  when (old.status = 'pending_approval' and new.status is distinct from old.status)
  execute function private.guard_review_claim();

-- Claims reach every reviewer live on staff:approvals as `review_claim` {message_id, claim}: the claim
-- as claim_json shapes it, or null once it ended (decision, release, replaced by an expired one's taker).
create or replace function private.broadcast_review_claim() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op = 'DELETE' then
    perform realtime.send(jsonb_build_object('message_id', old.message_id, 'claim', null),
                          'review_claim', 'staff:approvals', true);
    return null;
  end if;
  perform realtime.send(jsonb_build_object('message_id', new.message_id, 'claim', private.claim_json(new)),
                        'review_claim', 'staff:approvals', true);
  return null;
end
$$;
revoke all on function private.broadcast_review_claim() from public;
create or replace trigger review_claims_broadcast after insert or update or delete on public.review_claims
  for each row execute function private.broadcast_review_claim();

-- The checks a claim and a decision share: a staff caller, a pending voice note not their own.
create or replace function private.reviewable_note(p_message_id uuid, p_caller uuid) returns public.chat_messages
language plpgsql set search_path = pg_catalog, pg_temp
as $$
declare
  v_msg public.chat_messages;
begin
  select * into v_msg from public.chat_messages m where m.id = p_message_id for update;
  if not found or v_msg.type <> 'audio' then
    perform private.raise('SA405', 'chat.message_not_found', jsonb_build_object('message_id', p_message_id));
  end if;
  if v_msg.sender_id = p_caller then
    perform private.raise('SA447', 'review.own_message', jsonb_build_object('message_id', p_message_id));
  end if;
  if v_msg.status in ('approved', 'rejected') then
    perform private.raise('SA443', 'review.already_decided', jsonb_build_object('message_id', p_message_id,
      'status', v_msg.status, 'reviewed_by', v_msg.reviewed_by, 'reviewed_at', v_msg.reviewed_at,
      'reviewed_by_name', (select p.display_name from public.profiles p where p.id = v_msg.reviewed_by)));
  end if;
  if v_msg.status <> 'pending_approval' then
    perform private.raise('SA444', 'review.not_reviewable', jsonb_build_object('message_id', p_message_id, 'status', v_msg.status));
  end if;
  return v_msg;
end
$$;
revoke all on function private.reviewable_note(uuid, uuid) from public;

create or replace function private.require_reviewer() returns uuid
language plpgsql stable set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  if v_caller.role not in ('monitor', 'admin', 'super_admin') then
    perform private.raise('SA440', 'review.forbidden', jsonb_build_object('role', v_caller.role));
  end if;
  return v_caller.uid;
end
$$;
revoke all on function private.require_reviewer() from public;

-- Claims a pending note for console.review.claim_seconds, or renews the caller's own claim (a console
-- renews it while the note stays open). One note at a time: claiming another lets go of the previous.
-- Refused while another reviewer holds a live claim (SA510, naming them and when it expires); a super
-- admin needs no claim to decide, and takes none from anybody.
create or replace function public.claim_review(p_message_id uuid)
returns table (message_id uuid, claimed_by uuid, claimed_by_name text, claimed_at timestamptz, expires_at timestamptz)
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := private.require_reviewer();
  v_claim public.review_claims;
  v_until timestamptz;
begin
  -- Locks the note's row: a claim and a decision on one note are taken one after the other.
  perform private.reviewable_note(p_message_id, v_uid);
  select * into v_claim from public.review_claims c where c.message_id = p_message_id;
  if found and v_claim.claimed_by <> v_uid and v_claim.expires_at > now() then
    perform private.raise_claimed(v_claim);
  end if;
  delete from public.review_claims c where c.claimed_by = v_uid and c.message_id <> p_message_id;
  v_until := now() + make_interval(secs => private.setting_int(private.console_settings(), 'console.review.claim_seconds'));
  insert into public.review_claims as c (message_id, claimed_by, claimed_at, expires_at)
  values (p_message_id, v_uid, now(), v_until)
  on conflict on constraint review_claims_pkey do update
    set claimed_by = excluded.claimed_by,
        claimed_at = case when c.claimed_by = excluded.claimed_by then c.claimed_at else excluded.claimed_at end,
        expires_at = excluded.expires_at
  returning * into v_claim;
  return query select v_claim.message_id, v_claim.claimed_by,
                      (select p.display_name from public.profiles p where p.id = v_claim.claimed_by),
                      v_claim.claimed_at, v_claim.expires_at;
end
$$;

-- Lets go of the caller's claim on one note, or of all their claims (null: the window closes, they sign
-- out). Answers how many ended; releasing what one does not hold changes nothing.
create or replace function public.release_review(p_message_id uuid default null)
returns integer
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_n integer;
begin
  select * into v_caller from private.require_caller();
  delete from public.review_claims c
   where c.claimed_by = v_caller.uid and (p_message_id is null or c.message_id = p_message_id);
  get diagnostics v_n = row_count;
  return v_n;
end
$$;

-- The live claims (expired ones are none), for a queue that opens: later changes come on staff:approvals.
create or replace function public.review_claims()
returns table (message_id uuid, claimed_by uuid, claimed_by_name text, claimed_at timestamptz, expires_at timestamptz)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_reviewer();
  return query
    select c.message_id, c.claimed_by, p.display_name, c.claimed_at, c.expires_at
    from public.review_claims c left join public.profiles p on p.id = c.claimed_by
    where c.expires_at > now()
    order by c.claimed_at, c.message_id;
end
$$;

-- How many voice notes wait for a decision (the Approvals tab and the tray).
create or replace function public.pending_review_count()
returns bigint
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_reviewer();
  return (select count(*) from public.chat_messages m where m.status = 'pending_approval' and m.type = 'audio');
end
$$;

-- Approves each named note through review_audio, each on its own: one that fails (decided by someone
-- else first, claimed by another reviewer, not found, the caller's own) is reported and does not undo
-- or stop the others. One row per distinct id, in the order given:
--   outcome   approved | already_decided | claimed | not_found | own_message | not_reviewable
--   error_code the SAnnn refusal behind it (null when approved)
--   detail    approved: status, reviewed_at; already_decided: status, reviewed_by(_name), reviewed_at;
--             claimed: claimed_by(_name), expires_at
create or replace function public.bulk_approve(p_message_ids uuid[])
returns table (message_id uuid, outcome text, error_code text, detail jsonb)
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_max bigint;
  v_id uuid;
  v_view public.chat_message_view;
  v_code text;
  v_detail text;
begin
  perform private.require_reviewer();
  v_max := private.setting_int(private.console_settings(), 'console.review.bulk_max');
  if p_message_ids is null or coalesce(array_ndims(p_message_ids), 1) <> 1 or cardinality(p_message_ids) < 1
     or cardinality(p_message_ids) > v_max or array_position(p_message_ids, null) is not null then
    perform private.raise('SA400', 'request.invalid_argument', jsonb_build_object('argument', 'p_message_ids',
      'value', cardinality(p_message_ids), 'min', 1, 'max', v_max));
  end if;
  for v_id in
    select u.id from unnest(p_message_ids) with ordinality u(id, n) group by u.id order by min(u.n)
  loop
    begin
      v_view := public.review_audio(v_id, 'approve');
      return query select v_id, 'approved'::text, null::text,
                          jsonb_build_object('status', v_view.status, 'reviewed_at', v_view.reviewed_at);
    exception when others then
      get stacked diagnostics v_code = returned_sqlstate, v_detail = pg_exception_detail;
      if v_code not in ('SA405', 'SA443', 'SA444', 'SA447', 'SA510') then
        raise;
      end if;
      return query select v_id,
        case v_code when 'SA405' then 'not_found' when 'SA443' then 'already_decided' when 'SA444' then 'not_reviewable'
                    when 'SA447' then 'own_message' else 'claimed' end,
        v_code,
        case v_code
          when 'SA443' then (select jsonb_build_object('status', m.status, 'reviewed_by', m.reviewed_by, 'reviewed_at', m.reviewed_at,
                                                       'reviewed_by_name', p.display_name)
                               from public.chat_messages m left join public.profiles p on p.id = m.reviewed_by where m.id = v_id)
          else coalesce(nullif(v_detail, '')::jsonb, '{}'::jsonb) - 'message_id'
        end;
    end;
  end loop;
end
$$;

-- Rejection reasons: every staff member reads the active ones; admins and super admins add, edit,
-- reorder and archive them (never delete: a past rejection keeps its reason). SECURITY INVOKER RPCs,
-- so the policies below decide for the console exactly as for any other writer.
create table if not exists public.review_rejection_reasons (
  id uuid primary key default gen_random_uuid(),
  label_en text not null check (not private.is_blank(label_en) and length(label_en) <= 200),
  label_ar text not null check (not private.is_blank(label_ar) and length(label_ar) <= 200),
  sort_order integer not null default 0 check (sort_order between 0 and 10000),
  active boolean not null default true,
  created_by uuid references public.profiles (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index if not exists review_rejection_reasons_label_en_uniq on public.review_rejection_reasons (lower(label_en));
create unique index if not exists review_rejection_reasons_label_ar_uniq on public.review_rejection_reasons (label_ar);
revoke all on public.review_rejection_reasons from public, anon, authenticated, service_role;
grant select, insert, update on public.review_rejection_reasons to authenticated;
grant select, insert, update, delete on public.review_rejection_reasons to service_role;
alter table public.review_rejection_reasons enable row level security;
drop policy if exists review_rejection_reasons_read on public.review_rejection_reasons;
create policy review_rejection_reasons_read on public.review_rejection_reasons
  for select to authenticated using ((select private.is_staff()));
drop policy if exists review_rejection_reasons_insert on public.review_rejection_reasons;
create policy review_rejection_reasons_insert on public.review_rejection_reasons
  for insert to authenticated with check ((select private.is_admin()));
drop policy if exists review_rejection_reasons_update on public.review_rejection_reasons;
create policy review_rejection_reasons_update on public.review_rejection_reasons
  for update to authenticated using ((select private.is_admin())) with check ((select private.is_admin()));

create or replace function private.touch_rejection_reason() returns trigger
language plpgsql set search_path = pg_catalog, pg_temp
as $$
begin
  new.updated_at := now();
  new.created_by := old.created_by;
  new.created_at := old.created_at;
  return new;
end
$$;
revoke all on function private.touch_rejection_reason() from public;
create or replace trigger review_rejection_reasons_touch before update on public.review_rejection_reasons
  for each row execute function private.touch_rejection_reason();
create or replace trigger review_rejection_reasons_audit after insert or update on public.review_rejection_reasons
  for each row execute function private.audit_row();

-- The reasons in the order admins gave them; archived ones too when asked (the settings list).
create or replace function public.list_rejection_reasons(p_include_archived boolean default false)
returns setof public.review_rejection_reasons
language plpgsql stable security invoker set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  if v_caller.role not in ('monitor', 'admin', 'super_admin') then
    perform private.raise('SA440', 'review.forbidden', jsonb_build_object('role', v_caller.role));
  end if;
  return query
    select r.* from public.review_rejection_reasons r
    where r.active or coalesce(p_include_archived, false)
    order by r.sort_order, lower(r.label_en), r.id;
end
$$;

-- Adds a reason (p_id null: both labels needed) or changes one: what is given changes, the rest stays.
-- p_active false archives it (no longer offered), true brings it back.
create or replace function public.save_rejection_reason(p_id uuid default null, p_label_en text default null,
                                                       p_label_ar text default null, p_position integer default null,
                                                       p_active boolean default null)
returns public.review_rejection_reasons
language plpgsql security invoker set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_en text := private.trim_text(p_label_en);
  v_ar text := private.trim_text(p_label_ar);
  v_row public.review_rejection_reasons;
begin
  select * into v_caller from private.require_caller();
  if v_caller.role not in ('admin', 'super_admin') then
    perform private.raise('SA511', 'review.reasons_forbidden', jsonb_build_object('role', v_caller.role));
  end if;
  if p_id is null and (v_en is null or v_ar is null) then
    perform private.raise('SA512', 'review.reason_label_required',
      jsonb_build_object('missing', case when v_en is null then 'label_en' else 'label_ar' end));
  end if;
  if p_id is not null and ((p_label_en is not null and v_en is null) or (p_label_ar is not null and v_ar is null)) then
    perform private.raise('SA512', 'review.reason_label_required',
      jsonb_build_object('missing', case when p_label_en is not null and v_en is null then 'label_en' else 'label_ar' end));
  end if;
  -- (check_text_length is for SECURITY DEFINER code; this runs as the caller)
  if length(v_en) > 200 or length(v_ar) > 200 then
    perform private.raise('SA448', 'request.text_too_long', jsonb_build_object(
      'argument', case when length(v_en) > 200 then 'p_label_en' else 'p_label_ar' end,
      'length', greatest(coalesce(length(v_en), 0), coalesce(length(v_ar), 0)), 'max', 200));
  end if;
  if p_position is not null and (p_position < 0 or p_position > 10000) then
    perform private.raise('SA400', 'request.invalid_argument', jsonb_build_object('argument', 'p_position', 'value', p_position, 'min', 0, 'max', 10000));
  end if;
  begin
    if p_id is null then
      insert into public.review_rejection_reasons (label_en, label_ar, sort_order, active)
      values (v_en, v_ar,
              coalesce(p_position, (select coalesce(max(r.sort_order) + 1, 0) from public.review_rejection_reasons r)),
              coalesce(p_active, true))
      returning * into v_row;
    else
      update public.review_rejection_reasons r
         set label_en = coalesce(v_en, r.label_en), label_ar = coalesce(v_ar, r.label_ar),
             sort_order = coalesce(p_position, r.sort_order), active = coalesce(p_active, r.active)
       where r.id = p_id
      returning * into v_row;
      if not found then
        perform private.raise('SA513', 'review.reason_unknown', jsonb_build_object('reason_id', p_id));
      end if;
    end if;
  exception when unique_violation then
    perform private.raise('SA514', 'review.reason_duplicate', jsonb_build_object('label_en', v_en, 'label_ar', v_ar));
  end;
  return v_row;
end
$$;

-- Which listed reason a rejection gave (with its free text), for the reviewer figures. Written only by
-- reject_audio; no API role reads it directly.
create table if not exists public.review_rejections (
  message_id uuid primary key references public.chat_messages (id) on delete cascade,
  reason_id uuid not null references public.review_rejection_reasons (id),
  note text,
  rejected_by uuid references public.profiles (id) on delete set null,
  rejected_at timestamptz not null default now()
);
create index if not exists review_rejections_reason_idx on public.review_rejections (reason_id);
revoke all on public.review_rejections from public, anon, authenticated, service_role;
grant select, insert, update, delete on public.review_rejections to service_role;
alter table public.review_rejections enable row level security;

-- Rejects a pending note with a listed reason, a free text, or both (one at least). The sender reads
-- the reason in their own language, followed by the free text: "<label> — <text>". The decision itself
-- is review_audio's (first wins, four eyes, claims).
create or replace function public.reject_audio(p_message_id uuid, p_reason_id uuid default null, p_note text default null)
returns public.chat_message_view
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := private.require_reviewer();
  v_note text := private.trim_text(p_note);
  v_reason public.review_rejection_reasons;
  v_label text;
  v_view public.chat_message_view;
begin
  if p_reason_id is null and v_note is null then
    perform private.raise('SA442', 'review.reason_required');
  end if;
  if p_reason_id is not null then
    select * into v_reason from public.review_rejection_reasons r where r.id = p_reason_id and r.active;
    if not found then
      perform private.raise('SA513', 'review.reason_unknown', jsonb_build_object('reason_id', p_reason_id));
    end if;
    select case p.preferred_language when 'ar' then v_reason.label_ar else v_reason.label_en end into v_label
    from public.chat_messages m join public.profiles p on p.id = m.sender_id
    where m.id = p_message_id;
    v_label := coalesce(v_label, v_reason.label_en);
  end if;
  v_view := public.review_audio(p_message_id, 'reject', concat_ws(' — ', v_label, v_note));
  if p_reason_id is not null then
    insert into public.review_rejections (message_id, reason_id, note, rejected_by)
    values (p_message_id, p_reason_id, v_note, v_uid);
  end if;
  return v_view;
end
$$;

revoke all on function private.require_reviewer() from public;
revoke all on function public.claim_review(uuid) from public, anon;
revoke all on function public.release_review(uuid) from public, anon;
revoke all on function public.review_claims() from public, anon;
revoke all on function public.pending_review_count() from public, anon;
revoke all on function public.bulk_approve(uuid[]) from public, anon;
revoke all on function public.list_rejection_reasons(boolean) from public, anon;
revoke all on function public.save_rejection_reason(uuid, text, text, integer, boolean) from public, anon;
revoke all on function public.reject_audio(uuid, uuid, text) from public, anon;
grant execute on function public.claim_review(uuid) to authenticated;
grant execute on function public.release_review(uuid) to authenticated;
grant execute on function public.review_claims() to authenticated;
grant execute on function public.pending_review_count() to authenticated;
grant execute on function public.bulk_approve(uuid[]) to authenticated;
grant execute on function public.list_rejection_reasons(boolean) to authenticated;
grant execute on function public.save_rejection_reason(uuid, text, text, integer, boolean) to authenticated;
grant execute on function public.reject_audio(uuid, uuid, text) to authenticated;
