package io.trafficdistributor.service.validation;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

public class StatusRangesValidator implements ConstraintValidator<StatusRanges, String> {

    private static final Pattern RANGE = Pattern.compile("^(\\d{3})(?:-(\\d{3}))?$");

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        if (value == null) {
            return true;
        }
        if (value.isEmpty()) {
            return false;
        }
        for (String part : value.split(",", -1)) {
            Matcher m = RANGE.matcher(part);
            if (!m.matches()) {
                return false;
            }
            int low = Integer.parseInt(m.group(1));
            int high = m.group(2) == null ? low : Integer.parseInt(m.group(2));
            if (low < 100 || high > 599 || low > high) {
                return false;
            }
        }
        return true;
    }
}
