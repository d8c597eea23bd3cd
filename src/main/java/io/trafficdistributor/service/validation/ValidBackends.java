package io.trafficdistributor.service.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

/** Backend rules that span the list: unique names, a positive weight where weights route, two backends to fail over between. */
@Documented
@Constraint(validatedBy = ValidBackendsValidator.class)
@Target({ ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
public @interface ValidBackends {
    String message() default "invalid backends";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
