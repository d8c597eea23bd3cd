package io.trafficdistributor.service.validation;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

import io.trafficdistributor.service.TimeoutsDocument;

public class AttemptBelowResponseValidator implements ConstraintValidator<AttemptBelowResponse, TimeoutsDocument> {

    @Override
    public boolean isValid(TimeoutsDocument timeouts, ConstraintValidatorContext context) {
        if (timeouts == null || timeouts.attemptMillis() == null || timeouts.responseMillis() == null
                || timeouts.attemptMillis() < timeouts.responseMillis()) {
            return true;
        }
        context.disableDefaultConstraintViolation();
        context.buildConstraintViolationWithTemplate("must be below responseMillis")
                .addPropertyNode("attemptMillis").addConstraintViolation();
        return false;
    }
}
