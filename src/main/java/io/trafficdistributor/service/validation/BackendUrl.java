package io.trafficdistributor.service.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

/** An absolute http(s) URL with a host, optional port and base path, no query, fragment or user info. */
@Documented
@Constraint(validatedBy = BackendUrlValidator.class)
@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.TYPE_USE })
@Retention(RetentionPolicy.RUNTIME)
public @interface BackendUrl {
    String message() default "must be an absolute http or https URL with a host, an optional port and base path, no query or user info, of visible ASCII characters (percent-encode others)";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
