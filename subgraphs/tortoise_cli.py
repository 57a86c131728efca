"""Config object for Tortoise's own CLI, used to write new migrations:

tortoise -c subgraphs.tortoise_cli.TORTOISE_ORM makemigrations
"""

from subgraphs.database import tortoise_config
from subgraphs.settings import Settings

TORTOISE_ORM = tortoise_config(Settings.from_env())
