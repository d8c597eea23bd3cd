package io.trafficdistributor.service.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

/** A list of HTTP status codes and ranges, such as {@code 200-299,302}. */
@Documented
@Constraint(validatedBy = StatusRangesValidator.class)
@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.TYPE_USE })
@Retention(RetentionPolicy.RUNTIME)
public @interface StatusRanges {
    String message() default "must be a comma-separated list of HTTP status codes (100-599) and ranges such as 200-299,302";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
