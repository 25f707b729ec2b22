from oauth2_provider.oauth2_validators import OAuth2Validator


class GroupsValidator(OAuth2Validator):
    """Standard claims, and the user's Django groups as the `groups` claim (scope `groups`)."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "groups"}

    def get_additional_claims(self, request):
        user = request.user
        return {"preferred_username": user.username, "name": user.get_full_name() or user.username,
                "email": user.email, "email_verified": True,
                "groups": sorted(user.groups.values_list("name", flat=True))}
