package io.trafficdistributor.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Which certificate answers which SNI name: exact, then one-label wildcard, then the default, else none. */
class SniSelectorTest {

    private final SniSelector<String> selector = SniSelector.<String>builder()
            .add(List.of("shop.example.com", "www.shop.example.com"), "shop")
            .add(List.of("*.example.com"), "wildcard")
            .add(List.of("api.example.com", "*.example.com"), "api")
            .build();

    @Test
    void anExactNameBeatsAWildcard() {
        assertEquals("shop", selector.select("shop.example.com"));
        assertEquals("shop", selector.select("www.shop.example.com"));
        assertEquals("api", selector.select("api.example.com"));
    }

    @Test
    void aWildcardCoversExactlyOneLabel() {
        assertEquals("wildcard", selector.select("a.example.com"));
        assertNull(selector.select("a.b.example.com"));
        assertNull(selector.select("example.com"));
        assertNull(selector.select("aexample.com"));
    }

    @Test
    void namesAreMatchedWithoutCaseAndTrailingDot() {
        assertEquals("shop", selector.select("SHOP.Example.COM"));
        assertEquals("wildcard", selector.select("b.example.com."));
    }

    @Test
    void theFirstCertificateAddedKeepsANameTwoOfThemHave() {
        assertEquals("wildcard", selector.select("other.example.com"));
    }

    @Test
    void noNameOrAnUnknownOneGetsTheDefaultWhenThereIsOne() {
        SniSelector<String> withDefault = SniSelector.<String>builder()
                .add(List.of("shop.example.com"), "shop").fallback("default").build();
        assertEquals("default", withDefault.select(null));
        assertEquals("default", withDefault.select(""));
        assertEquals("default", withDefault.select("unknown.test"));
        assertNull(withDefault.match("unknown.test"));
        assertEquals("shop", withDefault.select("shop.example.com"));
        assertNull(selector.select(null));
    }

    @Test
    void aMalformedWildcardNameMatchesNothing() {
        SniSelector<String> odd = SniSelector.<String>builder().add(List.of("a*.example.com", "*"), "odd").build();
        assertNull(odd.select("ab.example.com"));
        assertNull(odd.select("anything"));
    }
}
