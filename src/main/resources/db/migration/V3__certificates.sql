-- TLS certificates served by the HTTPS listener, chosen by SNI. The key is AES-GCM encrypted under
-- td.secret-key when it is set (key_encryption 'aes-gcm'), else stored as uploaded ('none'). What the API shows
-- of the leaf is kept beside it, so listing needs no parsing.
create table certificate (
    id                  uuid          primary key,
    name                varchar(63)   not null unique,
    source              varchar(16)   not null,
    certificate_pem     text          not null,
    private_key         bytea         not null,
    key_encryption      varchar(16)   not null,
    dns_names           text          not null,
    issuer              varchar(2048) not null,
    not_before          timestamptz   not null,
    not_after           timestamptz   not null,
    fingerprint_sha256  varchar(95)   not null,
    version             bigint        not null,
    created_at          timestamptz   not null,
    updated_at          timestamptz   not null
);

-- Per distributor HTTPS settings (DESIGN §7).
alter table distributor add column tls_acme boolean not null default false;
alter table distributor add column tls_redirect_http boolean not null default false;
alter table distributor add column tls_hsts_max_age_seconds integer;
