-- Gradual weight shifts (DESIGN §8): at most one row per distributor, its latest shift. Stored so that a
-- restart, or another replica taking over the driving, continues it from the step it had reached. Each step is an
-- ordinary write of the distributor (history kind SHIFT) made with If-Match on last_version, the version the shift
-- last wrote (or started from): a write by anyone else moves the version and cancels the shift.
create table distributor_shift (
    distributor_id    uuid         primary key references distributor (id) on delete cascade,
    state             varchar(16)  not null,
    start_weights     jsonb        not null,
    target_weights    jsonb        not null,
    steps             integer      not null,
    step              integer      not null,
    duration_seconds  integer      not null,
    abort_on_down     boolean      not null,
    started_at        timestamptz  not null,
    next_step_at      timestamptz,
    last_version      bigint       not null,
    ended_at          timestamptz,
    reason            text
);

create index distributor_shift_running on distributor_shift (state) where state = 'RUNNING';
