import factory

from apps.webhooks.models import Webhook, WebhookEvent


class WebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Webhook

    project = factory.SubFactory("tests.factories.ProjectFactory")
    url = "https://hooks.example.com/qualiti"
    events = factory.LazyFunction(lambda: list(WebhookEvent.values))
    secret = factory.Sequence(lambda n: f"secret-{n}-é")  # not ASCII: keyed as UTF-8
    created_by = factory.SubFactory("tests.factories.UserFactory")
