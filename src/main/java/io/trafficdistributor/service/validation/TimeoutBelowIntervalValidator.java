package io.trafficdistributor.service.validation;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

import io.trafficdistributor.service.HealthCheckDocument;

public class TimeoutBelowIntervalValidator implements ConstraintValidator<TimeoutBelowInterval, HealthCheckDocument> {

    @Override
    public boolean isValid(HealthCheckDocument check, ConstraintValidatorContext context) {
        if (check == null || check.timeoutMillis() == null || check.intervalSeconds() == null
                || check.timeoutMillis() < check.intervalSeconds() * 1000L) {
            return true;
        }
        context.disableDefaultConstraintViolation();
        context.buildConstraintViolationWithTemplate("must be below the interval (intervalSeconds × 1000)")
                .addPropertyNode("timeoutMillis").addConstraintViolation();
        return false;
    }
}
