package io.trafficdistributor.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

import io.trafficdistributor.domain.SameSite;

class SharedValuesTest {

    @Test
    void equalValuesAreOneInstance() {
        Timeouts first = SharedValues.of(new Timeouts(1000, 30000, null));
        assertSame(first, SharedValues.of(new Timeouts(1000, 30000, null)));
        assertNotSame(first, SharedValues.of(new Timeouts(1000, 30000, 5000)));
        assertSame(SharedValues.of(new StickyCookie("td", null, SameSite.Lax)),
                SharedValues.of(new StickyCookie("td", null, SameSite.Lax)));
    }

    @Test
    void backendsWithTheSameUrlShareOneParsedAddress() {
        var first = SharedValues.of(CompiledBackend.target("http://10.0.0.7:8080/app"));
        var second = SharedValues.of(CompiledBackend.target("http://10.0.0.7:8080/app"));
        assertSame(first, second);
        assertEquals(8080, second.port());
        assertNotSame(first, SharedValues.of(CompiledBackend.target("http://10.0.0.7:8081/app")));
    }

    @Test
    void backendNamesAreShared() {
        assertSame(SharedValues.name(new String("blue")), SharedValues.name(new String("blue")));
    }
}
