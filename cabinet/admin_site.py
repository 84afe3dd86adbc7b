"""The clerks' admin site: Django's, with the list of apps and models read only where a page shows it."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.functional import SimpleLazyObject


class TrackerAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        """The apps and models the user may reach, worked out when first read.

        Django works them out for every admin page (`each_context`: `available_apps`), checking each model's
        permissions and reversing its addresses: 2.6 ms a page at full size. Only the index, an app's index and the
        navigation sidebar read them; the register's big lists turn the sidebar off (cabinet.admin.LargeListMixin).
        """
        return SimpleLazyObject(lambda: super(TrackerAdminSite, self).get_app_list(request, app_label))


class TrackerAdminConfig(AdminConfig):
    """django.contrib.admin (in INSTALLED_APPS in its place), with TrackerAdminSite as `admin.site`."""

    default_site = "cabinet.admin_site.TrackerAdminSite"
