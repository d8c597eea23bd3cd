package io.trafficdistributor.service.validation;

import java.util.regex.Pattern;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

public class HostnameValidator implements ConstraintValidator<Hostname, String> {

    private static final Pattern LABEL = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        if (value == null) {
            return true;
        }
        return isValidHostname(value);
    }

    /** Whether a normalised hostname (lower-case, punycode) is a DNS name or a wildcard over one. */
    public static boolean isValidHostname(String value) {
        String domain = value.startsWith("*.") ? value.substring(2) : value;
        if (domain.isEmpty() || domain.length() > 253) {
            return false;
        }
        for (String label : domain.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }
}
