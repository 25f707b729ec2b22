from studio.models_registry.wording import settings_in_words


def test_every_parameter_sent_is_in_words_in_the_registrys_order():
    sent = {"output_format": "png", "input_fidelity": "low", "size": "auto", "n": 2, "output_compression": 70,
            "background": "opaque", "user": "u-1", "seed_hint": "x"}
    assert settings_in_words(sent) == [
        ("Size", "Automatic"), ("Number of images", "2"), ("Background", "Opaque"), ("Output format", "PNG"),
        ("Compression", "70%"), ("Input fidelity", "Low"), ("Seed hint", "x")]


def test_nothing_sent_is_nothing_shown():
    assert settings_in_words(None) == [] and settings_in_words({"size": ""}) == []
