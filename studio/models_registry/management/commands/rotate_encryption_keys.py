from django.core.management.base import BaseCommand, CommandError

from studio.models_registry.key_rotation import rotate_encryption_keys


class Command(BaseCommand):
    help = ("Re-encrypt every stored provider key with the first key of STUDIO_ENCRYPTION_KEYS. List the new key "
            "first, run this, then remove the old key from the list.")

    def handle(self, *args, **options):
        result = rotate_encryption_keys()
        self.stdout.write(f"Re-encrypted {result.resealed} stored key{'s' if result.resealed != 1 else ''} with the "
                          "first key of STUDIO_ENCRYPTION_KEYS.")
        if result.unreadable:
            raise CommandError(
                "No key in STUDIO_ENCRYPTION_KEYS decrypts the stored key of: " + ", ".join(result.unreadable)
                + ". Put the key they were encrypted with back in the list and run this again, or type those "
                "providers' keys again in the admin.")
