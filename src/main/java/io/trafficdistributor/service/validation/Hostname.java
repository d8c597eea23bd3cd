package io.trafficdistributor.service.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

/** A DNS name, or {@code *.} and a DNS name, as stored (lower-case, punycode). */
@Documented
@Constraint(validatedBy = HostnameValidator.class)
@Target({ ElementType.TYPE_USE, ElementType.FIELD, ElementType.PARAMETER })
@Retention(RetentionPolicy.RUNTIME)
public @interface Hostname {
    String message() default "must be a DNS name or '*.' followed by a DNS name";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
