-- Slow start (DESIGN §8): the seconds over which a backend that comes back, or is added, ramps up to its full
-- share; 0 (every existing distributor) is off.
alter table distributor add column slow_start_seconds integer not null default 0;
