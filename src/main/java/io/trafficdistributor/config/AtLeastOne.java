package io.trafficdistributor.config;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * Reads a setting that must be a whole number of at least 1, refusing anything else at startup with the setting's
 * name and value (SmallRye Config reports a converter's failure so). A converter rather than a {@code @Min}
 * constraint: one constraint on a configuration mapping makes Quarkus build a Hibernate Validator factory for the
 * configuration while it starts, which took a quarter to half a second of the restart's critical path.
 */
public final class AtLeastOne implements Converter<Integer> {

    @Override
    public Integer convert(String value) {
        int number;
        try {
            number = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number of at least 1, not '" + value + "'");
        }
        if (number < 1) {
            throw new IllegalArgumentException("must be at least 1, not " + number);
        }
        return number;
    }
}
