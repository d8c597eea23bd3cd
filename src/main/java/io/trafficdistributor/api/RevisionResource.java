package io.trafficdistributor.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.trafficdistributor.service.DistributorDocument;
import io.trafficdistributor.service.DistributorService;
import io.trafficdistributor.service.InvalidDocumentException;
import io.trafficdistributor.service.NotFoundException;
import io.trafficdistributor.service.Page;
import io.trafficdistributor.service.Revision;

/** A distributor's change history and rollback (DESIGN §8). */
@Path("/api/v1/distributors/{name}")
@Produces(MediaType.APPLICATION_JSON)
public class RevisionResource {

    @Inject
    DistributorService distributors;

    @GET
    @Path("revisions")
    public Page<Revision> list(@PathParam("name") String name, @QueryParam("limit") String limit,
            @QueryParam("offset") String offset) {
        return distributors.history(name, DistributorResource.intParam("limit", limit, 50, 1, DistributorResource.MAX_LIMIT),
                DistributorResource.intParam("offset", offset, 0, 0, Integer.MAX_VALUE));
    }

    @GET
    @Path("revisions/{version}")
    public Revision get(@PathParam("name") String name, @PathParam("version") String version) {
        long number;
        try {
            number = Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw new NotFoundException("Distributor '" + name + "' has no revision '" + version
                    + "': revisions are numbered by the version they wrote.");
        }
        return distributors.revision(name, number);
    }

    /** Writes revision {@code version} back as a new version; answers like any write, with the distributor and its ETag. */
    @POST
    @Path("rollback")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response rollback(@PathParam("name") String name, @HeaderParam("If-Match") String ifMatch,
            RollbackRequest body) {
        if (body == null || body.version() == null) {
            throw new InvalidDocumentException("version", "is required: the version of the revision to write back");
        }
        DistributorDocument now = distributors.rollback(name, DistributorResource.IfMatch.parse(ifMatch), body.version());
        return Response.ok(now).tag(DistributorResource.etag(now)).build();
    }
}
