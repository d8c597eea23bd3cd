package io.trafficdistributor.service.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

/** An attempt timeout, when set, is below the response timeout it subdivides. */
@Documented
@Constraint(validatedBy = AttemptBelowResponseValidator.class)
@Target({ ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
public @interface AttemptBelowResponse {
    String message() default "must be below responseMillis";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
