/* StoreFooter: the shop's address and opening hours. */
define(['jquery'], function ($) {
    'use strict';
    return {
        createComponent: function (args, callback) {
            callback({ render: function (parent) { $(parent).append('<p class="store-footer">Demo Store, 1 Roastery Lane. Open daily 8-18.</p>'); } });
        }
    };
});
