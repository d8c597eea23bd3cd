-- The list's ?q= search (the console's search box): distributors whose name or one of whose hostnames starts with
-- the text. LIKE 'prefix%' uses a b-tree only with the pattern operator class when the database's collation is not
-- C, so these two indexes make the search an index range scan at any number of distributors.
create index distributor_name_prefix on distributor (name varchar_pattern_ops);
create index distributor_hostname_prefix on distributor_hostname (hostname varchar_pattern_ops);
