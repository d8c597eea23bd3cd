-- Distributor definitions: configuration only. Health state lives in memory.
create table distributor (
    id                      uuid         primary key,
    name                    varchar(63)  not null unique,
    routing                 varchar(32)  not null,
    enabled                 boolean      not null,
    pass_host_header        boolean      not null,
    sticky_cookie_name      varchar(128) not null,
    sticky_max_age_seconds  integer,
    sticky_same_site        varchar(8)   not null,
    hc_enabled              boolean      not null,
    hc_type                 varchar(8)   not null,
    hc_path                 varchar(2048) not null,
    hc_expected_statuses    varchar(256) not null,
    hc_interval_seconds     integer      not null,
    hc_timeout_millis       integer      not null,
    hc_healthy_threshold    integer      not null,
    hc_unhealthy_threshold  integer      not null,
    connect_millis          integer      not null,
    response_millis         integer      not null,
    attempt_millis          integer,
    version                 bigint       not null,
    created_at              timestamptz  not null,
    updated_at              timestamptz  not null
);

-- A hostname belongs to at most one distributor: the unique index is the last word when two writes race.
create table distributor_hostname (
    distributor_id uuid         not null references distributor (id) on delete cascade,
    position       integer      not null,
    hostname       varchar(255) not null,
    primary key (distributor_id, position),
    constraint distributor_hostname_unique unique (hostname)
);

-- Backends in list order: the order is the failover priority.
create table backend (
    distributor_id uuid          not null references distributor (id) on delete cascade,
    position       integer       not null,
    name           varchar(63)   not null,
    url            varchar(2048) not null,
    weight         integer       not null,
    primary key (distributor_id, position)
);
