package io.trafficdistributor.service.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

/** A probe's timeout is below its interval, so probes of one backend never overlap. */
@Documented
@Constraint(validatedBy = TimeoutBelowIntervalValidator.class)
@Target({ ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
public @interface TimeoutBelowInterval {
    String message() default "must be below the interval";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
