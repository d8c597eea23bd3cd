package io.trafficdistributor.service.validation;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

public class UniqueHostnamesValidator implements ConstraintValidator<UniqueHostnames, List<String>> {

    @Override
    public boolean isValid(List<String> hostnames, ConstraintValidatorContext context) {
        if (hostnames == null) {
            return true;
        }
        context.disableDefaultConstraintViolation();
        boolean valid = true;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < hostnames.size(); i++) {
            String hostname = hostnames.get(i);
            if (hostname != null && !seen.add(hostname)) {
                context.buildConstraintViolationWithTemplate("duplicate hostname")
                        .addBeanNode().inIterable().atIndex(i).addConstraintViolation();
                valid = false;
            }
        }
        return valid;
    }
}
