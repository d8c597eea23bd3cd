package io.trafficdistributor.routing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.trafficdistributor.balancing.SlowStart;
import io.trafficdistributor.domain.RoutingMethod;
import io.trafficdistributor.domain.SameSite;
import io.trafficdistributor.service.StoredDigest;

/** Host lookup precedence, and the table changed one distributor at a time, without Quarkus. */
class RoutingTableTest {

    static CompiledDistributor distributor(String name, String... hostnames) {
        return new CompiledDistributor(UUID.randomUUID(), name, 0, List.of(hostnames), RoutingMethod.ROUND_ROBIN, true,
                true, new Timeouts(3000, 60_000, null), new StickyCookie("TD_ROUTE", null, SameSite.Lax), List.of(), false, null, SlowStart.OFF);
    }

    @Test
    void anExactNameBeatsAWildcard() {
        CompiledDistributor exact = distributor("exact", "shop.example.com");
        CompiledDistributor wildcard = distributor("wildcard", "*.example.com");
        RoutingTable table = RoutingTable.of(List.of(wildcard, exact));
        assertSame(exact, table.lookup("shop.example.com"));
        assertSame(wildcard, table.lookup("blog.example.com"));
        assertSame(wildcard, table.lookup("a.b.example.com"));
    }

    @Test
    void aLongerWildcardBeatsAShorterOne() {
        CompiledDistributor shorter = distributor("shorter", "*.example.com");
        CompiledDistributor longer = distributor("longer", "*.shop.example.com");
        RoutingTable table = RoutingTable.of(List.of(shorter, longer));
        assertSame(longer, table.lookup("eu.shop.example.com"));
        assertSame(shorter, table.lookup("shop.example.com"));
        assertSame(shorter, table.lookup("eu.blog.example.com"));
    }

    @Test
    void aWildcardDoesNotMatchItsOwnDomain() {
        RoutingTable table = RoutingTable.of(List.of(distributor("wildcard", "*.example.com")));
        assertNull(table.lookup("example.com"));
        assertNull(table.lookup("notexample.com"));
    }

    @Test
    void hostsMatchInAnyCaseAndUnknownOnesMatchNothing() {
        CompiledDistributor shop = distributor("shop", "shop.example.com");
        RoutingTable table = RoutingTable.of(List.of(shop));
        assertSame(shop, table.lookup("SHOP.Example.COM"));
        assertNull(table.lookup("other.example.com"));
        assertNull(table.lookup("com"));
    }

    @Test
    void aReplacedDistributorKeepsItsRemainingHostnamesAndDropsTheOthers() {
        RoutingTable table = new RoutingTable();
        table.put(distributor("d", "x.test", "y.test"));
        CompiledDistributor changed = distributor("d", "y.test", "z.test");
        table.put(changed);
        assertNull(table.lookup("x.test"));
        assertSame(changed, table.lookup("y.test"));
        assertSame(changed, table.lookup("z.test"));
        assertSame(changed, table.byName("d"));
    }

    @Test
    void aHostnameTakenOverStaysWithItsNewOwner() {
        RoutingTable table = new RoutingTable();
        table.put(distributor("first", "moved.test", "first.test"));
        CompiledDistributor second = distributor("second", "moved.test");
        table.put(second);
        table.put(distributor("first", "first.test")); // the first one lets go of it afterwards
        assertSame(second, table.lookup("moved.test"));
        table.remove("first");
        assertSame(second, table.lookup("moved.test"));
        assertNull(table.lookup("first.test"));
        assertNull(table.byName("first"));
    }

    static CompiledDistributor version(CompiledDistributor of, long version) {
        return new CompiledDistributor(of.id(), of.name(), version, of.hostnames(), RoutingMethod.ROUND_ROBIN, true,
                true, new Timeouts(3000, 60_000, null), new StickyCookie("TD_ROUTE", null, SameSite.Lax), List.of(), false, null, SlowStart.OFF);
    }

    /** What the database would report for these distributors. */
    static StoredDigest stored(CompiledDistributor... distributors) {
        long sum = 0;
        for (CompiledDistributor d : distributors) {
            sum += StoredDigest.entry(d.name(), d.id(), d.version());
        }
        return new StoredDigest(distributors.length, sum);
    }

    @Test
    void theDigestFollowsEachChange() {
        CompiledDistributor shop = distributor("shop", "shop.example.com");
        CompiledDistributor blog = distributor("blog", "blog.example.com");
        RoutingTable table = RoutingTable.of(List.of(shop, blog));
        assertTrue(table.matches(stored(shop, blog)));
        assertTrue(new RoutingTable().matches(stored()));

        CompiledDistributor shopAgain = version(shop, 1);
        assertFalse(table.matches(stored(shopAgain, blog)), "the database has a newer version");
        table.put(shopAgain);
        assertTrue(table.matches(stored(shopAgain, blog)));
        assertFalse(table.matches(stored(shop, blog)));

        table.remove("blog");
        assertTrue(table.matches(stored(shopAgain)));
        assertFalse(table.matches(stored(shopAgain, blog)));
        table.remove("no-such-distributor");
        assertTrue(table.matches(stored(shopAgain)));
    }
}
