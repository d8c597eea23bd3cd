package io.trafficdistributor.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import io.trafficdistributor.service.InvalidDocumentException;
import io.trafficdistributor.service.Shift;
import io.trafficdistributor.service.ShiftRequest;
import io.trafficdistributor.service.ShiftService;

/** A distributor's gradual weight shift (DESIGN §8): start it, watch it, stop it. */
@Path("/api/v1/distributors/{name}/shift")
@Produces(MediaType.APPLICATION_JSON)
public class ShiftResource {

    @Inject
    ShiftService shifts;

    /** Accepted: the service moves the weights from now on, step by step; the answer is the shift as it starts. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(@PathParam("name") String name, @HeaderParam("If-Match") String ifMatch, ShiftRequest body,
            @Context UriInfo uri) {
        if (body == null) {
            throw new InvalidDocumentException("body", "a shift is required: {\"weights\": {…}, \"durationSeconds\": n}");
        }
        Shift shift = shifts.start(name, DistributorResource.IfMatch.parse(ifMatch), body);
        return Response.accepted(shift).location(uri.getRequestUri()).build();
    }

    @GET
    public Shift get(@PathParam("name") String name) {
        return shifts.get(name);
    }

    /** Stops the running shift where it is; the answer is the shift as it ended. */
    @DELETE
    public Shift stop(@PathParam("name") String name, @HeaderParam("If-Match") String ifMatch) {
        return shifts.stop(name, DistributorResource.IfMatch.parse(ifMatch));
    }
}
