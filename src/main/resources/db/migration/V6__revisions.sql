-- Change history (DESIGN §8): the document each write stored, as the API showed it, with its version, when and
-- what kind of write it was. Written in the same transaction as the change; deleting the distributor deletes its
-- history. Only the newest td.revisions.keep per distributor are kept.
create table distributor_revision (
    distributor_id  uuid         not null references distributor (id) on delete cascade,
    version         bigint       not null,
    change          varchar(16)  not null,
    changed_at      timestamptz  not null,
    document        jsonb        not null,
    primary key (distributor_id, version)
);
