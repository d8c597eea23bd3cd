-- ACME (DESIGN §7): the account key, the HTTP-01 challenges being validated, and each distributor's certificate
-- state. Kept in PostgreSQL so that every replica answers a challenge, and replicas and restarts agree on what is
-- due and on the backoff after a failure.

-- The one ACME account key, generated at the first order and reused; encrypted like certificate keys.
create table acme_account (
    id              smallint     primary key check (id = 1),
    account_key     bytea        not null,
    key_encryption  varchar(16)  not null,
    created_at      timestamptz  not null
);

-- Tokens of the HTTP-01 challenges of orders in progress: any replica answers
-- GET /.well-known/acme-challenge/<token> on its plain port from here.
create table acme_challenge (
    token              varchar(255)  primary key,
    key_authorization  text          not null,
    distributor        varchar(63)   not null,
    created_at         timestamptz   not null
);

-- Per distributor with tls.acme: where its certificate stands, and when it is next looked at.
create table acme_state (
    distributor      varchar(63)   primary key,
    state            varchar(16)   not null,
    hostnames        text          not null,
    not_after        timestamptz,
    renew_at         timestamptz,
    last_error       text,
    failures         integer       not null default 0,
    next_attempt_at  timestamptz   not null,
    updated_at       timestamptz   not null
);

-- ACME certificates are named acme-<distributor name>: up to 5 + 63 characters.
alter table certificate alter column name type varchar(68);
