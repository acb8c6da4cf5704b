-- Reviewer and reader figures for admins: decisions per reviewer, time from recording to decision,
-- rejection rates per reader and per reason, and reply times per reader, over a date range [p_from, p_to).
--
-- Decisions come from audit_log, not from chat_messages: a note decided and then deleted keeps its
-- decision there, and the trail is what an admin can stand behind. A decision is the audit row of a
-- voice note's status change to approved or rejected (private.audit_row: table chat_messages, action
-- 'status:approved' / 'status:rejected'); its new_values are the message as decided (sender, created_at =
-- recording time, review_reason). The reviewer is the row's actor (reviewed_by when an operator wrote
-- it). Decisions the consolidation carried over from the old system ('consolidate*' actions) name no
-- reviewer and are not counted.
--
-- Reply times come from the messages: a client's wait starts with a client message that follows a
-- reader's message (or opens the conversation; later client messages before an answer are the same
-- wait) and ends with the session reader's next message. Waits that start in the range count, whenever
-- they were answered; system messages are no one's. Staff messages neither start nor end a wait.
--
-- Percentiles are percentile_cont (linear interpolation), in seconds. Every RPC answers at most 1000
-- rows (PostgREST's max_rows) and refuses rather than return a cut list.

-- The decisions, in time order, without touching the other audit rows.
create index if not exists audit_log_decisions_idx on public.audit_log (created_at)
  where table_name = 'chat_messages' and action in ('status:approved', 'status:rejected');
-- Client messages by time, for the range of reply times (the session keyset index answers the rest).
create index if not exists chat_messages_created_idx on public.chat_messages (created_at);

-- Admins only; the range must be a real one. The private helpers run inside the RPCs (as their owner)
-- and are no API role's to call.
create or replace function private.require_figures_caller(p_from timestamptz, p_to timestamptz)
returns void
language plpgsql stable set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  if v_caller.role not in ('admin', 'super_admin') then
    perform private.raise('SA530', 'figures.forbidden', jsonb_build_object('role', v_caller.role));
  end if;
  if p_from is null or p_to is null or p_from >= p_to or not isfinite(p_from) or not isfinite(p_to) then
    perform private.raise('SA532', 'figures.invalid_range', jsonb_build_object('from', p_from, 'to', p_to));
  end if;
end
$$;
revoke all on function private.require_figures_caller(timestamptz, timestamptz) from public;

-- The decisions of the range, one row each: who decided, whose note, when it was recorded and decided.
create or replace function private.figures_decisions(p_from timestamptz, p_to timestamptz)
returns table (reviewer_id uuid, reader_id uuid, approved boolean, reason text, recorded_at timestamptz, decided_at timestamptz)
language sql stable set search_path = pg_catalog, pg_temp
as $$
  select coalesce(a.actor_id, private.uuid_or_null(a.new_values ->> 'reviewed_by')),
         private.uuid_or_null(a.new_values ->> 'sender_id'),
         a.action = 'status:approved',
         case when a.action = 'status:rejected' then private.trim_text(a.new_values ->> 'review_reason') end,
         (a.new_values ->> 'created_at')::timestamptz,
         a.created_at
  from public.audit_log a
  where a.table_name = 'chat_messages' and a.action in ('status:approved', 'status:rejected')
    and a.created_at >= p_from and a.created_at < p_to
$$;
revoke all on function private.figures_decisions(timestamptz, timestamptz) from public;

create or replace function private.figures_check_rows(p_name text, p_rows bigint)
returns void
language plpgsql immutable set search_path = pg_catalog, pg_temp
as $$
begin
  if p_rows > 1000 then
    perform private.raise('SA534', 'figures.too_many_rows', jsonb_build_object('figure', p_name, 'rows', p_rows, 'max', 1000));
  end if;
end
$$;
revoke all on function private.figures_check_rows(text, bigint) from public;

-- Per reviewer, plus one row for everyone (reviewer_id null). Ordered by decisions, most first.
create or replace function public.figures_reviewers(p_from timestamptz, p_to timestamptz)
returns table (reviewer_id uuid, reviewer_name text, decisions bigint, approvals bigint, rejections bigint,
               decision_p50_seconds double precision, decision_p90_seconds double precision)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_rows bigint;
begin
  perform private.require_figures_caller(p_from, p_to);
  return query
    with per as (
      select d.reviewer_id, grouping(d.reviewer_id) = 1 as is_total, count(*) as decisions,
             count(*) filter (where d.approved) as approvals, count(*) filter (where not d.approved) as rejections,
             percentile_cont(0.5) within group (order by extract(epoch from d.decided_at - d.recorded_at)::double precision) as p50,
             percentile_cont(0.9) within group (order by extract(epoch from d.decided_at - d.recorded_at)::double precision) as p90
      from private.figures_decisions(p_from, p_to) d
      group by grouping sets ((d.reviewer_id), ())
    )
    select case when per.is_total then null else per.reviewer_id end, pr.display_name, per.decisions, per.approvals,
           per.rejections, per.p50, per.p90
    from per left join public.profiles pr on not per.is_total and pr.id = per.reviewer_id
    order by per.is_total, per.decisions desc, pr.display_name, per.reviewer_id;
  get diagnostics v_rows = row_count;
  perform private.figures_check_rows('reviewers', v_rows);
end
$$;

-- Each client wait that starts in the range, with the reader who answered it and when (null: not yet).
-- Two ordered passes over the range's client and reader messages, no join of them with themselves: the first
-- numbers each message by how many reader messages precede it in its session (g), which groups every client
-- message with the reader message that answers it (the one reader message of the group, and its last); the
-- second reads that answer off the group. A client message starts a wait when the message before it is the
-- reader's (or there is none). Only at the range's edges does it look outside, one step of the session's keyset
-- index each: the message before a session's first one in the range, and the first reader message after the
-- range for a wait still open at its end (at most one of each per session). A lookup per message instead costs
-- millions of index probes at a million messages.
create or replace function private.figures_waits(p_from timestamptz, p_to timestamptz)
returns table (session_id uuid, waited_from timestamptz, reader_id uuid, answered_at timestamptz)
language sql stable set search_path = pg_catalog, pg_temp
as $$
  select w.session_id, w.created_at, coalesce(w.answer_by, later.sender_id), coalesce(w.answer_at, later.created_at)
  from (
    select g.*,
           max(g.created_at) filter (where g.role = 'reader') over grp as answer_at,
           (max(g.sender_id::text) filter (where g.role = 'reader') over grp)::uuid as answer_by
    from (
      select m.session_id, m.created_at, m.id, m.sender_id, cp.role_in_session as role,
             lag(cp.role_in_session) over s as prev_role,
             count(*) filter (where cp.role_in_session = 'reader') over s
               - case when cp.role_in_session = 'reader' then 1 else 0 end as g
      from public.chat_messages m
      join public.chat_participants cp
        on cp.session_id = m.session_id and cp.user_id = m.sender_id and cp.role_in_session in ('client', 'reader')
      where m.created_at >= p_from and m.created_at < p_to and m.type not in ('system', 'note')
      window s as (partition by m.session_id order by m.created_at, m.id)
    ) g
    window grp as (partition by g.session_id, g.g)
  ) w
  left join lateral (
    select nx.sender_id, nx.created_at
    from public.chat_messages nx
    where w.answer_at is null and nx.session_id = w.session_id and nx.created_at >= p_to and nx.type not in ('system', 'note')
      and nx.sender_id in (select rp.user_id from public.chat_participants rp
                           where rp.session_id = w.session_id and rp.role_in_session = 'reader')
    order by nx.created_at, nx.id
    limit 1
  ) later on true
  where w.role = 'client'
    and case when w.prev_role is not null then w.prev_role = 'reader'
             else not exists (
               -- The message before the range, among the session's client and reader messages, is the client's.
               select 1 from (
                 select prev.sender_id
                 from public.chat_messages prev
                 where prev.session_id = w.session_id and prev.created_at < p_from and prev.type not in ('system', 'note')
                   and prev.sender_id in (select pp.user_id from public.chat_participants pp
                                          where pp.session_id = w.session_id and pp.role_in_session in ('client', 'reader'))
                 order by prev.created_at desc, prev.id desc
                 limit 1
               ) x
               where x.sender_id in (select pc.user_id from public.chat_participants pc
                                     where pc.session_id = w.session_id and pc.role_in_session = 'client'))
        end
$$;
revoke all on function private.figures_waits(timestamptz, timestamptz) from public;

-- Per reader (the voice notes decided in the range and the waits that started in it), plus one row for
-- everyone (reader_id null), which also counts the waits nobody has answered yet.
create or replace function public.figures_readers(p_from timestamptz, p_to timestamptz)
returns table (reader_id uuid, reader_name text, notes_decided bigint, notes_rejected bigint, rejection_rate double precision,
               replies bigint, unanswered bigint, reply_p50_seconds double precision, reply_p90_seconds double precision)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
-- A month of a busy platform is a sort of a million messages: in memory rather than in temporary files (an
-- admin's report, rarely run; the default 4 MB spills to disk).
set work_mem = '64MB'
as $$
declare
  v_rows bigint;
begin
  perform private.require_figures_caller(p_from, p_to);
  return query
    with decided as (
      select d.reader_id, grouping(d.reader_id) = 1 as is_total, count(*) as n,
             count(*) filter (where not d.approved) as rejected
      from private.figures_decisions(p_from, p_to) d
      group by grouping sets ((d.reader_id), ())
    ),
    waited as (
      select w.reader_id, grouping(w.reader_id) = 1 as is_total,
             count(*) filter (where w.answered_at is not null) as answered,
             count(*) filter (where w.answered_at is null) as open,
             percentile_cont(0.5) within group (order by extract(epoch from w.answered_at - w.waited_from)::double precision) as p50,
             percentile_cont(0.9) within group (order by extract(epoch from w.answered_at - w.waited_from)::double precision) as p90
      from private.figures_waits(p_from, p_to) w
      group by grouping sets ((w.reader_id), ())
    ),
    -- Unanswered waits have no reader: they belong to the total row only.
    waited_readers as (
      select * from waited where waited.is_total or waited.reader_id is not null
    ),
    joined as (
      select coalesce(d.is_total, w.is_total) as is_total, coalesce(d.reader_id, w.reader_id) as reader_id,
             coalesce(d.n, 0) as n, coalesce(d.rejected, 0) as rejected,
             coalesce(w.answered, 0) as answered, case when coalesce(d.is_total, w.is_total) then coalesce(w.open, 0) else 0 end as open,
             w.p50, w.p90
      from decided d
      full join waited_readers w on d.is_total = w.is_total and d.reader_id is not distinct from w.reader_id
    )
    select case when j.is_total then null else j.reader_id end, pr.display_name, j.n, j.rejected,
           case when j.n > 0 then j.rejected::double precision / j.n end,
           j.answered, j.open, j.p50, j.p90
    from joined j left join public.profiles pr on not j.is_total and pr.id = j.reader_id
    order by j.is_total, pr.display_name, j.reader_id;
  get diagnostics v_rows = row_count;
  perform private.figures_check_rows('readers', v_rows);
end
$$;

-- Rejections per reason (trimmed text as the reviewer gave it), per reader and for everyone (reader_id
-- null): how many, and their share of that reader's (or everyone's) decisions in the range.
create or replace function public.figures_rejection_reasons(p_from timestamptz, p_to timestamptz)
returns table (reader_id uuid, reader_name text, reason text, rejections bigint, decisions bigint, rate double precision)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_rows bigint;
begin
  perform private.require_figures_caller(p_from, p_to);
  return query
    with d as (select * from private.figures_decisions(p_from, p_to)),
    totals as (
      select d.reader_id, grouping(d.reader_id) = 1 as is_total, count(*) as n
      from d group by grouping sets ((d.reader_id), ())
    ),
    reasons as (
      select d.reader_id, grouping(d.reader_id) = 1 as is_total, d.reason, count(*) as n
      from d where not d.approved
      group by grouping sets ((d.reader_id, d.reason), (d.reason))
    )
    select case when r.is_total then null else r.reader_id end, pr.display_name, r.reason, r.n, t.n,
           r.n::double precision / t.n
    from reasons r
    join totals t on t.is_total = r.is_total and (r.is_total or t.reader_id is not distinct from r.reader_id)
    left join public.profiles pr on not r.is_total and pr.id = r.reader_id
    order by r.is_total desc, pr.display_name nulls last, r.reader_id, r.n desc, r.reason;
  get diagnostics v_rows = row_count;
  perform private.figures_check_rows('rejection_reasons', v_rows);
end
$$;

revoke all on function public.figures_reviewers(timestamptz, timestamptz) from public, anon;
revoke all on function public.figures_readers(timestamptz, timestamptz) from public, anon;
revoke all on function public.figures_rejection_reasons(timestamptz, timestamptz) from public, anon;
grant execute on function public.figures_reviewers(timestamptz, timestamptz) to authenticated;
grant execute on function public.figures_readers(timestamptz, timestamptz) to authenticated;
grant execute on function public.figures_rejection_reasons(timestamptz, timestamptz) to authenticated;
